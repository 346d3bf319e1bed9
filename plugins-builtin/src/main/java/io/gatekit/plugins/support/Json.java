package io.gatekit.plugins.support;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** JSON text for the small bodies and messages plugins write, escaped as APISIX's cjson does. */
public final class Json {

    private Json() {
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/"); // cjson escapes it, so bodies match APISIX's byte for byte
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** {@code {"<key>":"<value>"}} as UTF-8, the body APISIX sends for {@code return code, {key = value}}. */
    public static byte[] object(String key, String value) {
        return ("{" + quote(key) + ":" + quote(value) + "}").getBytes(StandardCharsets.UTF_8);
    }
}
