package io.gatekit.engine.internal.expr;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.match.IpSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the JSON of a {@code vars} / {@code _meta.filter} expression into {@link Node}s, with
 * lua-resty-expr's grammar, and says precisely what is wrong when it cannot. Every value is
 * checked and prepared here (numbers parsed, regexes and CIDRs compiled) so that testing does
 * no parsing.
 */
final class ExprCompiler {

    static final String OPERATORS =
            "==, ~=, >, >=, <, <=, ~~, ~*, IN, HAS, ipmatch, or ! followed by one of them";

    private static final String RULE_FORMS = "[var, op, value], [var, \"!\", op, value]"
            + " or [\"AND\"|\"OR\"|\"!AND\"|\"!OR\", rule, rule, ...]";

    /** Operators as lua-resty-expr spells them after lower-casing, to how messages show them. */
    private static final Map<String, String> DISPLAY_NAMES = Map.ofEntries(
            Map.entry("==", "=="), Map.entry("~=", "~="), Map.entry(">", ">"),
            Map.entry(">=", ">="), Map.entry("<", "<"), Map.entry("<=", "<="),
            Map.entry("~~", "~~"), Map.entry("~*", "~*"), Map.entry("in", "IN"),
            Map.entry("has", "HAS"), Map.entry("ipmatch", "ipmatch"));

    private static final int SHOWN_JSON_LENGTH = 80;

    private ExprCompiler() {
    }

    /** The whole expression: {@code []}, an array of rules, or one top-level logical group. */
    static Node compile(@Nullable JsonNode rule) {
        if (rule == null || !rule.isArray()) {
            throw fail("", "rule", show(rule) + " is not an array (expected an array of rules,"
                    + " such as [[\"arg_name\", \"==\", \"json\"]])");
        }
        if (rule.isEmpty()) {
            return Node.ALWAYS;
        }
        JsonNode first = rule.get(0);
        if (first.isArray()) {
            return allOf(rule, "rule", "", 0);
        }
        if (logicalOperator(first) != null) {
            return group(rule, "rule", "");
        }
        // lua-resty-expr: "rule should be wrapped inside brackets".
        throw fail("", "rule", show(rule) + " is a single rule, not an array of rules (expected it"
                + " wrapped in brackets: [" + show(rule) + "])");
    }

    private static Node rule(JsonNode node, String path, String pointer) {
        if (!node.isArray()) {
            throw fail(pointer, path, show(node) + " is not a rule (expected " + RULE_FORMS + ")");
        }
        if (node.isEmpty()) {
            throw fail(pointer, path, "[] is an empty rule (expected " + RULE_FORMS + ")");
        }
        JsonNode first = node.get(0);
        if (first.isArray()) {
            return allOf(node, path, pointer, 0);
        }
        if (logicalOperator(first) != null) {
            return group(node, path, pointer);
        }
        return comparison(node, path, pointer);
    }

    /** Elements {@code from..} of {@code rules}, all of which must hold. */
    private static Node allOf(JsonNode rules, String path, String pointer, int from) {
        Node[] nodes = children(rules, path, pointer, from);
        return nodes.length == 1 ? nodes[0] : new Node.All(nodes, false);
    }

    private static Node[] children(JsonNode rules, String path, String pointer, int from) {
        List<Node> nodes = new ArrayList<>(rules.size() - from);
        for (int i = from; i < rules.size(); i++) {
            nodes.add(rule(rules.get(i), path + "[" + i + "]", pointer + "/" + i));
        }
        return nodes.toArray(new Node[0]);
    }

    private static Node group(JsonNode node, String path, String pointer) {
        String operator = logicalOperator(node.get(0));
        int operands = node.size() - 1;
        if (operands < 2) {
            // lua-resty-expr: "rule too short".
            throw fail(pointer, path, "\"" + operator + "\" needs at least 2 rules, got " + operands
                    + " (expected [\"" + operator + "\", rule, rule, ...])");
        }
        Node[] nodes = children(node, path, pointer, 1);
        return switch (operator) {
            case "AND" -> new Node.All(nodes, false);
            case "!AND" -> new Node.All(nodes, true);
            case "OR" -> new Node.Any(nodes, false);
            default -> new Node.Any(nodes, true);
        };
    }

    /** {@code AND}, {@code OR}, {@code !AND} or {@code !OR} (any case, as lua-resty-expr), or null. */
    private static @Nullable String logicalOperator(JsonNode node) {
        if (!node.isTextual()) {
            return null;
        }
        String upper = node.textValue().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "AND", "OR", "!AND", "!OR" -> upper;
            default -> null;
        };
    }

    private static Node comparison(JsonNode node, String path, String pointer) {
        JsonNode variable = node.get(0);
        if (!variable.isTextual() || variable.textValue().isEmpty()) {
            throw fail(pointer + "/0", path, "variable name " + show(variable) + " is not a"
                    + " non-empty string (expected a variable such as \"arg_name\" or \"http_x_api_version\")");
        }
        String name = variable.textValue();
        int size = node.size();
        if (size == 2) {
            return shorthandEquals(node, name, path, pointer);
        }
        if (size != 3 && size != 4) {
            throw arity(node, path, pointer);
        }
        boolean negated = size == 4;
        if (negated && !isBang(node.get(1))) {
            // lua-resty-expr: "bad 'not' expression".
            throw fail(pointer + "/1", path, show(node.get(1)) + " in second place of a 4-element"
                    + " rule (expected \"!\", as in [var, \"!\", op, value])");
        }
        if (!negated && isBang(node.get(1))) {
            throw fail(pointer + "/1", path, "'!' must be followed by an operator and a value"
                    + " (expected [var, \"!\", op, value])");
        }
        int at = negated ? 2 : 1;
        String operator = operator(node.get(at), path, pointer + "/" + at);
        return leaf(operator, name, negated, node.get(at + 1), path, pointer + "/" + (at + 1));
    }

    /**
     * {@code [var, value]}: lua-resty-expr reads a second element that is not an operator as
     * {@code ==} it. A second element that is an operator lacks its value: an error here (Lua
     * would compare with nil, which is never what was meant).
     */
    private static Node shorthandEquals(JsonNode node, String name, String path, String pointer) {
        JsonNode value = node.get(1);
        if (!value.isTextual() || isBang(value)
                || DISPLAY_NAMES.containsKey(value.textValue().toLowerCase(Locale.ROOT))) {
            throw arity(node, path, pointer);
        }
        return new Comparison.EqualsText(name, false, value.textValue());
    }

    private static ExprException arity(JsonNode node, String path, String pointer) {
        return fail(pointer, path, show(node) + " has " + node.size() + " element"
                + (node.size() == 1 ? "" : "s") + " (expected [var, op, value] or [var, \"!\", op, value])");
    }

    private static boolean isBang(JsonNode node) {
        return node.isTextual() && node.textValue().equals("!");
    }

    private static String operator(JsonNode node, String path, String pointer) {
        String name = node.isTextual() ? node.textValue().toLowerCase(Locale.ROOT) : "";
        if (!DISPLAY_NAMES.containsKey(name)) {
            String shown = node.isTextual() ? "'" + node.textValue() + "'" : show(node);
            throw fail(pointer, path, "unknown operator " + shown + " (expected one of " + OPERATORS + ")");
        }
        return name;
    }

    private static Node leaf(String operator, String name, boolean negated, JsonNode value,
            String path, String pointer) {
        return switch (operator) {
            case "==" -> equality(name, negated, value, operator, path, pointer);
            // lua-resty-expr's ~= is exactly "not ==", including for numbers and unset variables.
            case "~=" -> equality(name, !negated, value, operator, path, pointer);
            case ">", ">=", "<", "<=" -> ordering(name, negated, value, operator, path, pointer);
            case "~~" -> regex(name, negated, value, 0, operator, path, pointer);
            case "~*" -> regex(name, negated, value, Pattern.CASE_INSENSITIVE, operator, path, pointer);
            case "in" -> in(name, negated, value, path, pointer);
            case "has" -> has(name, negated, value, path, pointer);
            default -> ipMatch(name, negated, value, path, pointer);
        };
    }

    private static Node equality(String name, boolean negated, JsonNode value, String operator,
            String path, String pointer) {
        if (value.isTextual()) {
            return new Comparison.EqualsText(name, negated, value.textValue());
        }
        if (value.isNumber()) {
            return new Comparison.EqualsNumber(name, negated, value.doubleValue());
        }
        if (value.isNull()) {
            return new Comparison.IsUnset(name, negated);
        }
        throw fail(pointer, path, "value " + show(value) + " of '" + operator + "' is not a string,"
                + " number or null (expected \"json\", 10, or null for an unset variable)");
    }

    private static Node ordering(String name, boolean negated, JsonNode value, String operator,
            String path, String pointer) {
        double bound = value.isNumber() ? value.doubleValue()
                : value.isTextual() ? LuaNumber.parse(value.textValue()) : Double.NaN;
        if (Double.isNaN(bound)) {
            throw fail(pointer, path, "value " + show(value) + " of '" + operator + "' is not a"
                    + " number (expected a number such as 10 or \"10\")");
        }
        int kind = switch (operator) {
            case ">" -> Comparison.Ordering.GREATER;
            case ">=" -> Comparison.Ordering.GREATER_OR_EQUAL;
            case "<" -> Comparison.Ordering.LESS;
            default -> Comparison.Ordering.LESS_OR_EQUAL;
        };
        return new Comparison.Ordering(name, negated, kind, bound);
    }

    private static Node regex(String name, boolean negated, JsonNode value, int flags,
            String operator, String path, String pointer) {
        if (!value.isTextual()) {
            throw fail(pointer, path, "value " + show(value) + " of '" + operator + "' is not a"
                    + " string (expected a regular expression such as \"^/api/v[0-9]+\")");
        }
        try {
            return new Comparison.Regex(name, negated, Pattern.compile(value.textValue(), flags));
        } catch (PatternSyntaxException e) {
            throw fail(pointer, path, "invalid regex '" + value.textValue() + "' for '" + operator
                    + "': " + e.getDescription() + " near index " + e.getIndex()
                    + " (expected a Java regular expression)");
        }
    }

    private static Node in(String name, boolean negated, JsonNode value, String path, String pointer) {
        if (!value.isArray()) {
            throw fail(pointer, path, "value " + show(value) + " of 'IN' is not an array"
                    + " (expected an array of strings such as [\"a\", \"b\"])");
        }
        String[] candidates = new String[value.size()];
        for (int i = 0; i < candidates.length; i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual()) {
                // Lua compares with ==, so a number never equals a variable, which is a string.
                throw fail(pointer + "/" + i, path, "element " + i + " of the 'IN' array, "
                        + show(element) + ", is not a string (expected strings: variables are"
                        + " strings, so write \"" + element.asText() + "\")");
            }
            candidates[i] = element.textValue();
        }
        return new Comparison.In(name, negated, candidates);
    }

    private static Node has(String name, boolean negated, JsonNode value, String path, String pointer) {
        if (!value.isTextual()) {
            throw fail(pointer, path, "value " + show(value) + " of 'HAS' is not a string"
                    + " (expected a string such as \"repo\")");
        }
        return new Comparison.EqualsText(name, negated, value.textValue());
    }

    private static Node ipMatch(String name, boolean negated, JsonNode value, String path, String pointer) {
        List<String> entries = new ArrayList<>();
        if (value.isTextual()) {
            entries.add(value.textValue());
        } else if (value.isArray()) {
            value.forEach(entry -> entries.add(entry.isTextual() ? entry.textValue() : null));
        }
        if (entries.isEmpty()) {
            // lua-resty-expr: "invalid ip address".
            throw fail(pointer, path, "value " + show(value) + " of 'ipmatch' is not an address or"
                    + " a non-empty array of them (expected " + IpSet.expectedForm() + ")");
        }
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (entry == null || !IpSet.isAddressOrCidr(entry)) {
                String at = value.isArray() ? pointer + "/" + i : pointer;
                throw fail(at, path, "invalid ip address " + show(value.isArray() ? value.get(i) : value)
                        + " for 'ipmatch' (expected " + IpSet.expectedForm() + ")");
            }
        }
        return new Comparison.IpMatch(name, negated, IpSet.of(entries));
    }

    /** JSON text of {@code node}, shortened so a message stays one readable line. */
    private static String show(@Nullable JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String json = node.toString();
        return json.length() <= SHOWN_JSON_LENGTH ? json : json.substring(0, SHOWN_JSON_LENGTH - 3) + "...";
    }

    private static ExprException fail(String pointer, String path, String problem) {
        return new ExprException(pointer, path + ": " + problem);
    }
}
