package io.gatekit.engine.internal.expr;

import io.gatekit.api.Nullable;

/**
 * Lua's {@code tonumber} on a string, as LuaJIT does it, because lua-resty-expr converts
 * request variables with it before {@code ==} against a number and before {@code >}, {@code <}
 * and friends: surrounding whitespace, a sign, decimal digits with an optional fraction and
 * exponent, hexadecimal integers ({@code 0x1F}), and {@code inf}/{@code infinity}/{@code nan}.
 *
 * <p>Returns {@link Double#NaN} for anything that is not a number, which makes every comparison
 * false and {@code ~=} true, exactly as Lua's {@code nil} does there. Plain decimals of up to 18
 * digits are converted without allocating; longer ones and exponents fall back to
 * {@link Double#parseDouble}.
 */
final class LuaNumber {

    private static final long MAX_EXACT_MANTISSA = 1L << 53;
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    private LuaNumber() {
    }

    /** The number {@code text} denotes, or {@code NaN} if it denotes none (or is null). */
    static double parse(@Nullable String text) {
        if (text == null) {
            return Double.NaN;
        }
        int from = 0;
        int to = text.length();
        while (from < to && isSpace(text.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(text.charAt(to - 1))) {
            to--;
        }
        if (from == to) {
            return Double.NaN;
        }
        boolean negative = false;
        char sign = text.charAt(from);
        if (sign == '-' || sign == '+') {
            negative = sign == '-';
            from++;
        }
        double magnitude = unsigned(text, from, to);
        return negative ? -magnitude : magnitude;
    }

    private static double unsigned(String text, int from, int to) {
        if (from == to) {
            return Double.NaN;
        }
        if (to - from > 2 && text.charAt(from) == '0' && (text.charAt(from + 1) | 0x20) == 'x') {
            return hex(text, from + 2, to);
        }
        char first = text.charAt(from);
        if (first == 'i' || first == 'I' || first == 'n' || first == 'N') {
            return named(text, from, to);
        }
        return decimal(text, from, to);
    }

    private static double hex(String text, int from, int to) {
        double value = 0;
        for (int i = from; i < to; i++) {
            int digit = hexDigit(text.charAt(i));
            if (digit < 0) {
                return Double.NaN;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static double named(String text, int from, int to) {
        int length = to - from;
        if (length == 3 && text.regionMatches(true, from, "nan", 0, 3)) {
            return Double.NaN;
        }
        if ((length == 3 || length == 8) && text.regionMatches(true, from, "infinity", 0, length)) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.NaN;
    }

    /** {@code digits [. digits] [(e|E) [sign] digits]}, at least one mantissa digit. */
    private static double decimal(String text, int from, int to) {
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean inFraction = false;
        int i = from;
        for (; i < to; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                }
                digits++;
                if (inFraction) {
                    fractionDigits++;
                }
            } else if (c == '.' && !inFraction) {
                inFraction = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i == to && digits <= 18 && mantissa < MAX_EXACT_MANTISSA
                && fractionDigits < POWERS_OF_TEN.length) {
            // Both operands are exact doubles, so one division rounds correctly.
            return mantissa / POWERS_OF_TEN[fractionDigits];
        }
        if (i < to && !isExponent(text, i, to)) {
            return Double.NaN;
        }
        return Double.parseDouble(text.substring(from, to));
    }

    private static boolean isExponent(String text, int from, int to) {
        if ((text.charAt(from) | 0x20) != 'e') {
            return false;
        }
        int i = from + 1;
        if (i < to && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        if (i == to) {
            return false;
        }
        for (; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** The value of ASCII hex digit {@code c}, or -1; unlike {@link Character#digit}, no other digits. */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }
}
