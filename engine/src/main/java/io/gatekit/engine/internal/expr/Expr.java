package io.gatekit.engine.internal.expr;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;

/**
 * A compiled APISIX {@code vars} / {@code _meta.filter} expression, with lua-resty-expr's
 * semantics. Compile once when config is applied; {@link #test} per request is thread-safe and
 * allocates nothing itself (a regex rule allocates its {@code Matcher}, as it must).
 *
 * <h2>Grammar</h2>
 * An array of rules that must all hold ({@code []} always holds), or one logical group. A rule is
 * <ul>
 *   <li>{@code [var, op, value]}, or {@code [var, "!", op, value]} for its negation;</li>
 *   <li>{@code ["AND" | "OR" | "!AND" | "!OR", rule, rule, ...]} with at least two rules
 *       ({@code !AND} is "not all", {@code !OR} "none"); the keyword is case-insensitive;</li>
 *   <li>a nested array of rules, which must all hold;</li>
 *   <li>{@code [var, value]}, shorthand for {@code [var, "==", value]} with a string value.</li>
 * </ul>
 *
 * <h2>Operators</h2> (case-insensitive, as lua-resty-expr lower-cases them) Variables are strings,
 * or null when unset.
 * <ul>
 *   <li>{@code ==} a string: equal text; an unset variable is not equal. {@code ==} a number: the
 *       variable is converted as by Lua's {@code tonumber} ({@code "10"}, {@code "1e1"},
 *       {@code " 10 "} and {@code "0xA"} all equal 10; a non-number is not equal).
 *       {@code ==} {@code null}: the variable is unset.</li>
 *   <li>{@code ~=}: exactly not {@code ==} (so an unset variable is {@code ~=} any string).</li>
 *   <li>{@code >}, {@code >=}, {@code <}, {@code <=}: numeric, the value a number or a numeric
 *       string; false when the variable is unset or not a number (so the negation is true).</li>
 *   <li>{@code ~~}, {@code ~*}: the regex (Java syntax, close to PCRE for common patterns) is
 *       found anywhere in the variable, {@code ~*} ignoring ASCII case; false when unset.</li>
 *   <li>{@code IN}: the variable equals one of the array's strings.</li>
 *   <li>{@code HAS}: in lua-resty-expr the variable is an array (e.g. GraphQL root fields) that
 *       contains the value; our variables are strings, so it is string equality.</li>
 *   <li>{@code ipmatch}: the variable is an IPv4/IPv6 address inside one of the CIDRs (a string
 *       or an array); false when unset or not an address.</li>
 * </ul>
 *
 * <h2>Stricter than APISIX</h2>
 * lua-resty-expr accepts some expressions that can never match as written; they are rejected
 * here with a message saying what to write: a value of the wrong JSON type for its operator
 * ({@code ["arg_x", ">", "abc"]}, {@code ["arg_x", "IN", "a"]}, {@code ["arg_x", "==", [1]]}),
 * numbers in an {@code IN} array (Lua compares them with {@code ==}, so they never equal a
 * variable), an invalid regex (APISIX only fails at request time), and
 * {@code [var, op]} without a value.
 */
public final class Expr {

    private static final Expr ALWAYS = new Expr(Node.ALWAYS, "[]");

    private final Node root;
    private final String source;

    private Expr(Node root, String source) {
        this.root = root;
        this.source = source;
    }

    /**
     * Compiles {@code rule}, the JSON array of a {@code vars} or {@code _meta.filter} field.
     *
     * @throws ExprException saying which rule is wrong and what was expected
     */
    public static Expr compile(@Nullable JsonNode rule) {
        Node root = ExprCompiler.compile(rule);
        return root == Node.ALWAYS ? ALWAYS : new Expr(root, rule.toString());
    }

    /** The expression {@code []}, which always holds. */
    public static Expr alwaysTrue() {
        return ALWAYS;
    }

    /** Whether the request whose variables {@code vars} reads satisfies this expression. */
    public boolean test(VarSource vars) {
        return root.test(vars);
    }

    /** The JSON this expression was compiled from. */
    @Override
    public String toString() {
        return source;
    }
}
