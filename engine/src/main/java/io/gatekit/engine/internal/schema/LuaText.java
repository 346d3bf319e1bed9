package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.http.JsonText;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Renders values the way APISIX's Lua runtime prints them inside jsonschema error texts, so our
 * reasons read exactly like APISIX's.
 *
 * <p>Facts (api7/jsonschema {@code lib/jsonschema.lua}, {@code generate_validator}; LuaJIT):
 * numbers go through {@code tostring}, i.e. C {@code "%.14g"} ({@code 0.00001} prints as
 * {@code 1e-05}, {@code 10} as {@code 10}); strings are quoted with {@code %q}; the "got" part
 * of a type error is the Lua type of the decoded value ({@code table} for objects and arrays,
 * {@code userdata} for JSON null); anyOf lists its branches' {@code required} arrays as cjson
 * encodes them.
 */
final class LuaText {

    private static final MathContext FOURTEEN_DIGITS = new MathContext(14, RoundingMode.HALF_EVEN);

    private LuaText() {
    }

    /** A JSON number as Lua's {@code tostring} prints the double it decodes to. */
    static String number(JsonNode number) {
        return number(number.doubleValue());
    }

    /** {@code d} formatted with C's {@code %.14g}, as LuaJIT's {@code tostring} does. */
    static String number(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(FOURTEEN_DIGITS);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 14) {
            return scientific(rounded, exponent);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    private static String scientific(BigDecimal rounded, int exponent) {
        String digits = rounded.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        StringBuilder out = new StringBuilder();
        if (rounded.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (end > 1) {
            out.append('.').append(digits, 1, end);
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    /**
     * {@code s} quoted like Lua's {@code %q}. One deviation: a line break is written {@code \n}
     * (Lua writes a backslash and a real line break) so that a reason always fits on one line.
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < ' ' || c == 127) {
                        boolean digitFollows = i + 1 < s.length() && Character.isDigit(s.charAt(i + 1));
                        out.append('\\').append(digitFollows ? String.format("%03d", (int) c) : (int) c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A member name printed unquoted by Lua, with line breaks escaped so it stays on one line. */
    static String bare(String name) {
        return name.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** The Lua type of the value a JSON node decodes to. */
    static String typeName(JsonNode node) {
        if (node.isMissingNode()) {
            return "nil";
        }
        if (node.isNull()) {
            return "userdata";
        }
        if (node.isContainerNode()) {
            return "table";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return "string";
    }

    /** The length Lua's jsonschema measures: characters (code points), not bytes. */
    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** A list of strings as cjson encodes an array of them: {@code ["a","b"]}. */
    static String cjsonArray(List<String> items) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(JsonText.quote(items.get(i)));
        }
        return out.append(']').toString();
    }

}
