package io.gatekit.engine.internal.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExprTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses JSON written with single quotes, to keep rules readable in Java strings. */
    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static Expr expr(String rule) {
        return Expr.compile(json(rule));
    }

    /** Variables from name/value pairs; any other variable is unset. */
    static VarSource vars(String... pairs) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return values::get;
    }

    private static boolean holds(String rule, String... pairs) {
        return expr(rule).test(vars(pairs));
    }

    @Test
    void emptyExpressionAlwaysHolds() {
        assertTrue(holds("[]"));
        assertSame(Expr.alwaysTrue(), expr("[]"));
    }

    @Test
    void equalsComparesTextExactly() {
        assertTrue(holds("[['arg_name', '==', 'json']]", "arg_name", "json"));
        assertFalse(holds("[['arg_name', '==', 'json']]", "arg_name", "JSON"));
        assertFalse(holds("[['arg_name', '==', 'json']]", "arg_name", "json "));
    }

    @Test
    void equalsIsFalseForAnUnsetVariable() {
        assertFalse(holds("[['arg_name', '==', 'json']]"));
    }

    @Test
    void equalsNullHoldsOnlyWhenTheVariableIsUnset() {
        assertTrue(holds("[['arg_name', '==', null]]"));
        assertFalse(holds("[['arg_name', '==', null]]", "arg_name", ""));
        assertTrue(holds("[['arg_name', '~=', null]]", "arg_name", ""));
    }

    @Test
    void equalsNumberConvertsTheVariableLikeLuaTonumber() {
        for (String ten : new String[] {"10", "10.0", " 10 ", "0xA", "1e1", "+10"}) {
            assertTrue(holds("[['arg_n', '==', 10]]", "arg_n", ten), ten);
        }
        for (String notTen : new String[] {"10abc", "ten", "", "1 0", "0x"}) {
            assertFalse(holds("[['arg_n', '==', 10]]", "arg_n", notTen), notTen);
        }
        assertFalse(holds("[['arg_n', '==', 10]]"));
    }

    @Test
    void equalsAStringDoesNotConvertNumbers() {
        assertFalse(holds("[['arg_n', '==', '10']]", "arg_n", "10.0"));
    }

    @Test
    void notEqualsIsTheExactOppositeOfEquals() {
        assertTrue(holds("[['arg_name', '~=', 'json']]", "arg_name", "xml"));
        assertFalse(holds("[['arg_name', '~=', 'json']]", "arg_name", "json"));
        assertTrue(holds("[['arg_name', '~=', 'json']]"));
        assertTrue(holds("[['arg_n', '~=', 10]]", "arg_n", "ten"));
        assertFalse(holds("[['arg_n', '~=', 10]]", "arg_n", "10.0"));
    }

    @Test
    void orderingComparesNumbersNotText() {
        assertTrue(holds("[['arg_age', '>', 24]]", "arg_age", "100"));
        assertFalse(holds("[['arg_age', '>', 24]]", "arg_age", "24"));
        assertTrue(holds("[['arg_age', '>=', 24]]", "arg_age", "24"));
        assertTrue(holds("[['arg_age', '<', 24]]", "arg_age", "3"));
        assertFalse(holds("[['arg_age', '<', 24]]", "arg_age", "24"));
        assertTrue(holds("[['arg_age', '<=', 24]]", "arg_age", "24.0"));
        assertTrue(holds("[['arg_age', '<', -1.5]]", "arg_age", "-2"));
    }

    @Test
    void orderingAcceptsANumericStringAsBound() {
        assertTrue(holds("[['arg_age', '>', '24']]", "arg_age", "25"));
        assertFalse(holds("[['arg_age', '>', '0x20']]", "arg_age", "25"));
    }

    @Test
    void orderingIsFalseWhenTheVariableIsUnsetOrNotANumber() {
        assertFalse(holds("[['arg_age', '>', 24]]"));
        assertFalse(holds("[['arg_age', '<', 24]]", "arg_age", "young"));
        assertTrue(holds("[['arg_age', '!', '<', 24]]", "arg_age", "young"));
    }

    @Test
    void regexIsFoundAnywhereInTheValue() {
        assertTrue(holds("[['uri', '~~', 'b+c']]", "uri", "/abbbcd"));
        assertFalse(holds("[['uri', '~~', '^/b']]", "uri", "/abbbcd"));
        assertTrue(holds("[['uri', '~~', '^/api/v[0-9]+$']]", "uri", "/api/v12"));
    }

    @Test
    void caseInsensitiveRegexIgnoresCase() {
        assertTrue(holds("[['http_user_agent', '~*', 'curl']]", "http_user_agent", "CURL/8.0"));
        assertFalse(holds("[['http_user_agent', '~~', 'curl']]", "http_user_agent", "CURL/8.0"));
    }

    @Test
    void regexIsFalseForAnUnsetVariable() {
        assertFalse(holds("[['uri', '~~', '.*']]"));
        assertTrue(holds("[['uri', '!', '~~', '.*']]"));
    }

    @Test
    void inMatchesOneOfTheStrings() {
        assertTrue(holds("[['arg_x', 'IN', ['a', 'b']]]", "arg_x", "b"));
        assertFalse(holds("[['arg_x', 'IN', ['a', 'b']]]", "arg_x", "c"));
        assertFalse(holds("[['arg_x', 'IN', ['a', 'b']]]"));
        assertFalse(holds("[['arg_x', 'IN', []]]", "arg_x", "a"));
    }

    @Test
    void inWithManyStringsMatchesEachOfThem() {
        String rule = "[['arg_x', 'in', ['a','b','c','d','e','f','g','h','i','j','a']]]";
        for (String value : new String[] {"a", "e", "j"}) {
            assertTrue(holds(rule, "arg_x", value), value);
        }
        assertFalse(holds(rule, "arg_x", "k"));
        assertFalse(holds(rule));
    }

    @Test
    void hasIsEqualityBecauseVariablesAreStrings() {
        assertTrue(holds("[['graphql_root_fields', 'HAS', 'repo']]", "graphql_root_fields", "repo"));
        assertFalse(holds("[['graphql_root_fields', 'HAS', 'repo']]", "graphql_root_fields", "owner"));
        assertFalse(holds("[['graphql_root_fields', 'HAS', 'repo']]"));
    }

    @Test
    void ipmatchMatchesAddressesAndCidrs() {
        String rule = "[['remote_addr', 'ipmatch', ['127.0.0.1', '192.168.0.0/16', 'fe80::/10']]]";
        assertTrue(holds(rule, "remote_addr", "127.0.0.1"));
        assertTrue(holds(rule, "remote_addr", "192.168.200.7"));
        assertTrue(holds(rule, "remote_addr", "fe80::1"));
        assertFalse(holds(rule, "remote_addr", "10.0.0.1"));
        assertTrue(holds("[['remote_addr', 'ipmatch', '10.0.0.0/8']]", "remote_addr", "10.1.2.3"));
    }

    @Test
    void ipmatchIsFalseForAnUnsetVariableOrANonAddress() {
        assertFalse(holds("[['remote_addr', 'ipmatch', '0.0.0.0/0']]"));
        assertFalse(holds("[['remote_addr', 'ipmatch', '0.0.0.0/0']]", "remote_addr", "localhost"));
        assertTrue(holds("[['remote_addr', '!', 'ipmatch', '0.0.0.0/0']]", "remote_addr", "localhost"));
    }

    @Test
    void bangNegatesTheComparison() {
        assertFalse(holds("[['arg_name', '!', '==', 'json']]", "arg_name", "json"));
        assertTrue(holds("[['arg_name', '!', '==', 'json']]", "arg_name", "xml"));
        assertTrue(holds("[['arg_name', '!', '~=', 'json']]", "arg_name", "json"));
        assertTrue(holds("[['arg_x', '!', 'IN', ['a']]]", "arg_x", "b"));
    }

    @Test
    void operatorsAreCaseInsensitiveLikeLuaRestyExpr() {
        assertTrue(holds("[['arg_x', 'in', ['a']]]", "arg_x", "a"));
        assertTrue(holds("[['arg_x', 'Has', 'a']]", "arg_x", "a"));
        assertTrue(holds("[['remote_addr', 'IPMATCH', '::1']]", "remote_addr", "::1"));
    }

    @Test
    void rulesOfTheTopLevelArrayMustAllHold() {
        String rule = "[['arg_name', '==', 'json'], ['arg_weight', '>', 10], ['arg_weight', '!', '>', 15]]";
        assertTrue(holds(rule, "arg_name", "json", "arg_weight", "12"));
        assertFalse(holds(rule, "arg_name", "json", "arg_weight", "16"));
        assertFalse(holds(rule, "arg_name", "xml", "arg_weight", "12"));
    }

    @Test
    void logicalGroupsCombineTheirRules() {
        String and = "['AND', ['arg_a', '==', '1'], ['arg_b', '==', '1']]";
        String or = "['OR', ['arg_a', '==', '1'], ['arg_b', '==', '1']]";
        String notAnd = "['!AND', ['arg_a', '==', '1'], ['arg_b', '==', '1']]";
        String notOr = "['!OR', ['arg_a', '==', '1'], ['arg_b', '==', '1']]";
        String[][] cases = {{}, {"arg_a", "1"}, {"arg_a", "1", "arg_b", "1"}};
        boolean[][] expected = {
            {false, false, true, true},  // neither
            {false, true, true, false},  // one
            {true, true, false, false},  // both
        };
        for (int i = 0; i < cases.length; i++) {
            assertEquals(expected[i][0], holds(and, cases[i]), "AND " + i);
            assertEquals(expected[i][1], holds(or, cases[i]), "OR " + i);
            assertEquals(expected[i][2], holds(notAnd, cases[i]), "!AND " + i);
            assertEquals(expected[i][3], holds(notOr, cases[i]), "!OR " + i);
        }
    }

    @Test
    void groupsNestInsideGroupsAndArrays() {
        // The lua-resty-expr README example: not (name == json and (weight > 10 or not height > 15)).
        String rule = "['!AND', ['arg_name', '==', 'json'], ['OR', ['arg_weight', '>', 10], ['arg_height', '!', '>', 15]]]";
        assertFalse(holds(rule, "arg_name", "json", "arg_weight", "11"));
        assertFalse(holds(rule, "arg_name", "json", "arg_weight", "5", "arg_height", "10"));
        assertTrue(holds(rule, "arg_name", "json", "arg_weight", "5", "arg_height", "20"));
        assertTrue(holds(rule, "arg_name", "xml"));
        assertTrue(holds("[['OR', ['arg_a', '==', '1'], [['arg_b', '==', '1'], ['arg_c', '==', '1']]]]",
                "arg_b", "1", "arg_c", "1"));
        assertFalse(holds("[['OR', ['arg_a', '==', '1'], [['arg_b', '==', '1'], ['arg_c', '==', '1']]]]",
                "arg_b", "1"));
    }

    @Test
    void logicalKeywordsAreCaseInsensitive() {
        assertTrue(holds("['or', ['arg_a', '==', '1'], ['arg_b', '==', '1']]", "arg_b", "1"));
        assertFalse(holds("['!and', ['arg_a', '==', '1'], ['arg_b', '==', '1']]", "arg_a", "1", "arg_b", "1"));
    }

    @Test
    void twoElementRuleIsShorthandForEquals() {
        assertTrue(holds("[['arg_name', 'json']]", "arg_name", "json"));
        assertFalse(holds("[['arg_name', 'json']]", "arg_name", "xml"));
    }

    @Test
    void toStringIsTheSourceJson() {
        assertEquals("[[\"arg_a\",\"==\",\"1\"]]", expr("[['arg_a', '==', '1']]").toString());
    }

    @Test
    void testingCommonRulesAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        Expr rule = expr("[['arg_name', '==', 'json'], ['arg_age', '>', 18], ['arg_age', '<=', '99.5'],"
                + " ['arg_kind', 'IN', ['a', 'b', 'c']], ['arg_n', '!', '==', 7],"
                + " ['OR', ['remote_addr', 'ipmatch', '10.0.0.0/8'], ['arg_x', '==', null]]]");
        VarSource vars = vars("arg_name", "json", "arg_age", "42", "arg_kind", "c", "arg_n", "8",
                "remote_addr", "10.1.2.3");
        int rounds = 200_000;
        int holding = 0;
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < rounds; i++) {
            holding += rule.test(vars) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(rounds, holding);
        // A single allocation per test would be >= 16 bytes a round; allow the probe's own noise.
        assertTrue(allocated < rounds, "allocated " + allocated + " bytes over " + rounds + " tests");
    }
}
