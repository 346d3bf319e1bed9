package io.gatekit.engine.internal.expr;

import static io.gatekit.engine.internal.expr.ExprTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.match.IpSet;
import org.junit.jupiter.api.Test;

class ExprCompileErrorTest {

    private static ExprException rejected(String rule) {
        return assertThrows(ExprException.class, () -> Expr.compile(json(rule)));
    }

    private static void assertRejected(String rule, String pointer, String message) {
        ExprException e = rejected(rule);
        assertEquals(message, e.getMessage());
        assertEquals(pointer, e.pointer());
    }

    @Test
    void unknownOperatorIsNamedWithTheOperatorsThatExist() {
        assertRejected("[['arg_x', '==', '1'], ['arg_y', 'equals', '2']]", "/1/1",
                "rule[1]: unknown operator 'equals' (expected one of ==, ~=, >, >=, <, <=, ~~, ~*,"
                        + " IN, HAS, ipmatch, or ! followed by one of them)");
    }

    @Test
    void operatorThatIsNotAStringIsUnknown() {
        assertRejected("[['arg_x', 5, '1']]", "/0/1",
                "rule[0]: unknown operator 5 (expected one of " + ExprCompiler.OPERATORS + ")");
    }

    @Test
    void expressionThatIsNotAnArrayIsRejected() {
        assertRejected("{'arg_x': 1}", "",
                "rule: {\"arg_x\":1} is not an array (expected an array of rules, such as"
                        + " [[\"arg_name\", \"==\", \"json\"]])");
        assertEquals("rule: nothing is not an array (expected an array of rules, such as"
                + " [[\"arg_name\", \"==\", \"json\"]])",
                assertThrows(ExprException.class, () -> Expr.compile(null)).getMessage());
    }

    @Test
    void singleRuleMustBeWrappedInBrackets() {
        assertRejected("['arg_x', '==', '1']", "",
                "rule: [\"arg_x\",\"==\",\"1\"] is a single rule, not an array of rules (expected it"
                        + " wrapped in brackets: [[\"arg_x\",\"==\",\"1\"]])");
    }

    @Test
    void ruleThatIsNotAnArrayIsRejected() {
        assertRejected("[['arg_x', '==', '1'], 'arg_y']", "/1",
                "rule[1]: \"arg_y\" is not a rule (expected [var, op, value], [var, \"!\", op, value]"
                        + " or [\"AND\"|\"OR\"|\"!AND\"|\"!OR\", rule, rule, ...])");
    }

    @Test
    void emptyNestedRuleIsRejected() {
        assertTrue(rejected("[[]]").getMessage().startsWith("rule[0]: [] is an empty rule (expected"));
    }

    @Test
    void ruleWithTooManyElementsIsRejected() {
        assertRejected("[['arg_x', '!', '==', '1', '2']]", "/0",
                "rule[0]: [\"arg_x\",\"!\",\"==\",\"1\",\"2\"] has 5 elements (expected [var, op, value]"
                        + " or [var, \"!\", op, value])");
        assertRejected("[['arg_x']]", "/0",
                "rule[0]: [\"arg_x\"] has 1 element (expected [var, op, value] or [var, \"!\", op, value])");
    }

    @Test
    void operatorWithoutValueIsRejected() {
        assertRejected("[['arg_x', '==']]", "/0",
                "rule[0]: [\"arg_x\",\"==\"] has 2 elements (expected [var, op, value] or [var, \"!\", op, value])");
    }

    @Test
    void fourElementRuleNeedsBangInSecondPlace() {
        assertRejected("[['arg_x', 'not', '==', '1']]", "/0/1",
                "rule[0]: \"not\" in second place of a 4-element rule (expected \"!\", as in"
                        + " [var, \"!\", op, value])");
    }

    @Test
    void bangNeedsAnOperatorAndAValue() {
        assertRejected("[['arg_x', '!', '==']]", "/0/1",
                "rule[0]: '!' must be followed by an operator and a value (expected [var, \"!\", op, value])");
    }

    @Test
    void variableNameMustBeAString() {
        assertRejected("[[1, '==', '1']]", "/0/0",
                "rule[0]: variable name 1 is not a non-empty string (expected a variable such as"
                        + " \"arg_name\" or \"http_x_api_version\")");
    }

    @Test
    void logicalGroupNeedsTwoRules() {
        assertRejected("[['OR', ['arg_x', '==', '1']]]", "/0",
                "rule[0]: \"OR\" needs at least 2 rules, got 1 (expected [\"OR\", rule, rule, ...])");
    }

    @Test
    void errorsInsideGroupsNameTheirPath() {
        ExprException e = rejected("['AND', ['arg_a', '==', '1'], ['OR', ['arg_b', '==', '1'], ['arg_c', '~~', '(']]]");
        assertEquals("/2/2/2", e.pointer());
        assertTrue(e.getMessage().startsWith("rule[2][2]: invalid regex '(' for '~~': "), e.getMessage());
    }

    @Test
    void invalidRegexIsRejectedAtCompileTime() {
        assertRejected("[['uri', '~*', '[a-']]", "/0/2",
                "rule[0]: invalid regex '[a-' for '~*': Illegal character range near index 3"
                        + " (expected a Java regular expression)");
        assertRejected("[['uri', '~~', 5]]", "/0/2",
                "rule[0]: value 5 of '~~' is not a string (expected a regular expression such as"
                        + " \"^/api/v[0-9]+\")");
    }

    @Test
    void orderingNeedsANumber() {
        assertRejected("[['arg_age', '>', 'old']]", "/0/2",
                "rule[0]: value \"old\" of '>' is not a number (expected a number such as 10 or \"10\")");
        assertRejected("[['arg_age', '!', '<=', true]]", "/0/3",
                "rule[0]: value true of '<=' is not a number (expected a number such as 10 or \"10\")");
    }

    @Test
    void equalityNeedsAStringNumberOrNull() {
        assertRejected("[['arg_x', '==', ['a']]]", "/0/2",
                "rule[0]: value [\"a\"] of '==' is not a string, number or null (expected \"json\","
                        + " 10, or null for an unset variable)");
        assertRejected("[['arg_x', '~=', true]]", "/0/2",
                "rule[0]: value true of '~=' is not a string, number or null (expected \"json\","
                        + " 10, or null for an unset variable)");
    }

    @Test
    void inNeedsAnArrayOfStrings() {
        assertRejected("[['arg_x', 'in', 'a']]", "/0/2",
                "rule[0]: value \"a\" of 'IN' is not an array (expected an array of strings such as"
                        + " [\"a\", \"b\"])");
        assertRejected("[['arg_x', 'IN', ['1', 2]]]", "/0/2/1",
                "rule[0]: element 1 of the 'IN' array, 2, is not a string (expected strings:"
                        + " variables are strings, so write \"2\")");
    }

    @Test
    void hasNeedsAString() {
        assertRejected("[['arg_x', 'HAS', 1]]", "/0/2",
                "rule[0]: value 1 of 'HAS' is not a string (expected a string such as \"repo\")");
    }

    @Test
    void ipmatchNeedsAddressesOrCidrs() {
        assertRejected("[['remote_addr', 'ipmatch', ['127.0.0.1', '10.0.0.300']]]", "/0/2/1",
                "rule[0]: invalid ip address \"10.0.0.300\" for 'ipmatch' (expected "
                        + IpSet.expectedForm() + ")");
        assertRejected("[['remote_addr', 'ipmatch', '::1/129']]", "/0/2",
                "rule[0]: invalid ip address \"::1/129\" for 'ipmatch' (expected "
                        + IpSet.expectedForm() + ")");
        assertRejected("[['remote_addr', 'ipmatch', []]]", "/0/2",
                "rule[0]: value [] of 'ipmatch' is not an address or a non-empty array of them"
                        + " (expected " + IpSet.expectedForm() + ")");
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String longValue = "x".repeat(200);
        ExprException e = rejected("[['arg_x', '>', '" + longValue + "']]");
        assertTrue(e.getMessage().contains("\"" + "x".repeat(76) + "..."), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }
}
