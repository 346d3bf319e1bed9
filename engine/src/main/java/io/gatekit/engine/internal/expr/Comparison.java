package io.gatekit.engine.internal.expr;

import io.gatekit.api.Nullable;
import io.gatekit.api.match.IpSet;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code [var, op, value]} rule: reads the variable and compares it with a value prepared at
 * compile time. {@code [var, "!", op, value]} and {@code ~=} are the same comparison with
 * {@link #negated} set, as lua-resty-expr defines {@code ~=} as the exact opposite of
 * {@code ==} (an unset variable is {@code ~=} to any string).
 */
abstract class Comparison extends Node {

    private final String variable;
    private final boolean negated;

    Comparison(String variable, boolean negated) {
        this.variable = variable;
        this.negated = negated;
    }

    @Override
    final boolean test(VarSource vars) {
        return matches(vars.var(variable)) != negated;
    }

    /** The comparison before negation; {@code value} is null when the variable is unset. */
    abstract boolean matches(@Nullable String value);

    /** {@code ==} a string, and {@code HAS} (variables are strings, so "contains" is equality). */
    static final class EqualsText extends Comparison {
        private final String expected;

        EqualsText(String variable, boolean negated, String expected) {
            super(variable, negated);
            this.expected = expected;
        }

        @Override
        boolean matches(@Nullable String value) {
            return expected.equals(value);
        }
    }

    /** {@code ==} JSON {@code null}: true when the variable is unset. */
    static final class IsUnset extends Comparison {
        IsUnset(String variable, boolean negated) {
            super(variable, negated);
        }

        @Override
        boolean matches(@Nullable String value) {
            return value == null;
        }
    }

    /** {@code ==} a number: the variable is converted with Lua's {@code tonumber} first. */
    static final class EqualsNumber extends Comparison {
        private final double expected;

        EqualsNumber(String variable, boolean negated, double expected) {
            super(variable, negated);
            this.expected = expected;
        }

        @Override
        boolean matches(@Nullable String value) {
            return LuaNumber.parse(value) == expected;
        }
    }

    /** {@code >}, {@code >=}, {@code <}, {@code <=}: false when the variable is not a number. */
    static final class Ordering extends Comparison {
        static final int GREATER = 0;
        static final int GREATER_OR_EQUAL = 1;
        static final int LESS = 2;
        static final int LESS_OR_EQUAL = 3;

        private final int operator;
        private final double bound;

        Ordering(String variable, boolean negated, int operator, double bound) {
            super(variable, negated);
            this.operator = operator;
            this.bound = bound;
        }

        @Override
        boolean matches(@Nullable String value) {
            double number = LuaNumber.parse(value);
            // NaN (not a number, or unset) makes each of these false, as nil does in Lua.
            return switch (operator) {
                case GREATER -> number > bound;
                case GREATER_OR_EQUAL -> number >= bound;
                case LESS -> number < bound;
                default -> number <= bound;
            };
        }
    }

    /** {@code ~~} and {@code ~*}: the pattern is found anywhere in the value, like {@code ngx.re.find}. */
    static final class Regex extends Comparison {
        private final Pattern pattern;

        Regex(String variable, boolean negated, Pattern pattern) {
            super(variable, negated);
            this.pattern = pattern;
        }

        @Override
        boolean matches(@Nullable String value) {
            return value != null && pattern.matcher(value).find();
        }
    }

    /** {@code IN}: the value is one of the strings of an array. */
    static final class In extends Comparison {
        /** Up to this many candidates a scan beats hashing the value. */
        static final int SCAN_LIMIT = 8;

        private final String[] candidates;
        private final @Nullable Set<String> set;

        In(String variable, boolean negated, String[] candidates) {
            super(variable, negated);
            this.candidates = candidates;
            this.set = candidates.length > SCAN_LIMIT ? Set.of(distinct(candidates)) : null;
        }

        @Override
        boolean matches(@Nullable String value) {
            if (value == null) {
                return false;
            }
            if (set != null) {
                return set.contains(value);
            }
            for (String candidate : candidates) {
                if (candidate.equals(value)) {
                    return true;
                }
            }
            return false;
        }

        private static String[] distinct(String[] values) {
            return Arrays.stream(values).distinct().toArray(String[]::new);
        }
    }

    /** {@code ipmatch}: the value is an IP address inside one of the CIDRs. */
    static final class IpMatch extends Comparison {
        private final IpSet matcher;

        IpMatch(String variable, boolean negated, IpSet matcher) {
            super(variable, negated);
            this.matcher = matcher;
        }

        @Override
        boolean matches(@Nullable String value) {
            return matcher.contains(value);
        }
    }
}
