package io.gatekit.api.http;

import java.nio.charset.StandardCharsets;

/**
 * JSON text as APISIX writes it with lua-cjson, for the small bodies and messages that plugins,
 * the engine and hosts write by hand: the one place a string is escaped for JSON. Messages often
 * quote what a client sent (a header, a path), so every string goes through {@link #quote}.
 *
 * <pre>{@code
 * return Outcome.respond(HttpResponse.of(401, HttpHeaders.of(), JsonText.errorBody("Missing API key")));
 * }</pre>
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /**
     * {@code s} as a JSON string literal, escaped as cjson escapes it: {@code "}, {@code \},
     * {@code /}, the short escapes for {@code \b \f \n \r \t}, and {@code \}{@code u00XX} for the
     * other control characters and DEL.
     *
     * @param s any text
     * @return {@code s} in double quotes, escaped
     */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * {@code {"<key>":"<value>"}} in UTF-8, both escaped: the body of APISIX's
     * {@code return code, {key = value}} from a plugin.
     *
     * @param key the member's name
     * @param value its text
     * @return the object's bytes, without a line break
     */
    public static byte[] object(String key, String value) {
        return ("{" + quote(key) + ":" + quote(value) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {"error_msg":"<message>"}} and a line break in UTF-8, as APISIX's
     * {@code core.response.exit(status, {error_msg = message})} writes it.
     *
     * @param message the error's text
     * @return the body's bytes
     */
    public static byte[] errorBody(String message) {
        return ("{\"error_msg\":" + quote(message) + "}\n").getBytes(StandardCharsets.UTF_8);
    }
}
