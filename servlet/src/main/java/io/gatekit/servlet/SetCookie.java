package io.gatekit.servlet;

import jakarta.servlet.http.Cookie;
import java.util.Map;

/** A servlet {@link Cookie} as the value of a {@code Set-Cookie} header, attributes in the order set. */
final class SetCookie {

    private SetCookie() {
    }

    /** {@code name=value; Path=/; HttpOnly}: each attribute, with its value when it has one. */
    static String header(Cookie cookie) {
        StringBuilder header = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue() == null
                ? "" : cookie.getValue());
        for (Map.Entry<String, String> attribute : cookie.getAttributes().entrySet()) {
            String key = attribute.getKey();
            String value = attribute.getValue();
            header.append("; ").append(key);
            if (value != null && !value.isEmpty()) {
                header.append('=').append(value);
            }
        }
        return header.toString();
    }
}
