package io.gatekit.plugins.rewrite;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.plugins.support.HeaderOps;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code headers} of {@code proxy-rewrite} and {@code response-rewrite} into
 * {@link HeaderOps}: APISIX's current form ({@code add}/{@code set}/{@code remove}) or its older
 * flat form, where every entry sets a header. Which form a config has is decided as APISIX does:
 * the current one when {@code add}, {@code set} or {@code remove} holds an object or array.
 */
final class RewriteHeaders {

    /** How response-rewrite splits one {@code add} entry, {@code "Name: value"}, as APISIX. */
    private static final Pattern ADD_ENTRY = Pattern.compile("^([^:\\s]+)\\s*:\\s*([^:]+)$");

    private RewriteHeaders() {
    }

    /** {@code proxy-rewrite}'s headers: {@code add} and {@code set} map names to one value or an array. */
    static HeaderOps request(@Nullable Map<String, Object> headers) {
        if (headers == null) {
            return HeaderOps.none();
        }
        HeaderOps.Builder ops = HeaderOps.builder();
        if (!isCurrentForm(headers)) {
            headers.forEach((name, value) -> {
                checkFlat(name, value, true);
                ops.set(name, List.of(HeaderOps.text("headers." + name, value)));
            });
            return ops.build();
        }
        entries(headers.get("add")).forEach((name, value) -> ops.add(name, values("headers.add." + name, value)));
        entries(headers.get("set")).forEach((name, value) -> ops.set(name, values("headers.set." + name, value)));
        names(headers.get("remove")).forEach(ops::remove);
        return ops.build();
    }

    /** {@code response-rewrite}'s headers: {@code add} is a list of {@code "Name: value"}. */
    static HeaderOps response(@Nullable Map<String, Object> headers) {
        if (headers == null) {
            return HeaderOps.none();
        }
        HeaderOps.Builder ops = HeaderOps.builder().emptySetRemoves();
        if (!isCurrentForm(headers)) {
            headers.forEach((name, value) -> {
                checkFlat(name, value, false);
                ops.set(name, List.of(HeaderOps.text("headers." + name, value)));
            });
            return ops.build();
        }
        for (String entry : names(headers.get("add"))) {
            Matcher m = ADD_ENTRY.matcher(entry);
            if (!m.matches()) {
                throw Arguments.invalid("headers.add", "\"" + entry
                        + "\"", "\"Name: value\", the value without ':'");
            }
            ops.add(m.group(1), List.of(checkValue("headers.add", m.group(2))));
        }
        entries(headers.get("set")).forEach((name, value) ->
                ops.set(name, List.of(checkValue("headers.set." + name, HeaderOps.text("headers.set." + name, value)))));
        names(headers.get("remove")).forEach(ops::remove);
        return ops.build();
    }

    private static boolean isCurrentForm(Map<String, Object> headers) {
        for (String key : List.of("add", "set", "remove")) {
            Object value = headers.get(key);
            if (value instanceof Map<?, ?> || value instanceof List<?>) {
                return true;
            }
        }
        return false;
    }

    /** APISIX's {@code check_set_headers}, with its texts; a request header's characters are checked too. */
    private static void checkFlat(String name, @Nullable Object value, boolean request) {
        if (!(value instanceof String) && !(value instanceof Number)) {
            throw new IllegalArgumentException("invalid type as header value");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("invalid field length in header");
        }
        if (!request) {
            return;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 32 || c >= 127 || c == ':') {
                throw new IllegalArgumentException("invalid field character in header");
            }
        }
        if (value instanceof String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 32 || c >= 127) {
                    throw new IllegalArgumentException("invalid value character in header");
                }
            }
        }
    }

    /** Stricter than APISIX for the current form: CR, LF or NUL would split the header on the wire. */
    private static String checkValue(String field, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + ": \"" + value.replace("\r", "\\r").replace("\n", "\\n")
                    .replace("\0", "\\u0000") + "\" (expected: a value without CR, LF or NUL)");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entries(@Nullable Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<String> names(@Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static List<String> values(String field, @Nullable Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(v -> checkValue(field, HeaderOps.text(field, v))).toList();
        }
        return List.of(checkValue(field, HeaderOps.text(field, value)));
    }
}
