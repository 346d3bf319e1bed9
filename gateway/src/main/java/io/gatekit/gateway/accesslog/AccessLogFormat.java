package io.gatekit.gateway.accesslog;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * An nginx {@code log_format} string compiled once: literal text and {@code $variable}s (also
 * {@code ${variable}}), each variable looked up when a line is made. As nginx, an empty or unset
 * variable prints {@code -}, and characters a log reader could mistake (quotes, backslashes,
 * control bytes) are written as {@code \xHH} ({@code access_log_format_escape: default}).
 */
public final class AccessLogFormat {

    /** The variables a line can name, beyond the {@code http_}, {@code arg_}, {@code cookie_} and {@code sent_http_} families. */
    static final Set<String> VARIABLES = Set.of("remote_addr", "remote_port", "remote_user", "time_local",
            "time_iso8601", "msec", "request", "request_method", "request_uri", "uri", "args", "query_string",
            "server_protocol", "scheme", "host", "server_addr", "server_port", "status", "body_bytes_sent",
            "request_time", "upstream_addr", "upstream_status", "upstream_response_time", "upstream_header_time",
            "upstream_scheme", "upstream_host", "upstream_uri", "apisix_request_id", "route_id");

    private static final String[] PREFIXES = {"http_", "arg_", "cookie_", "sent_http_"};
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Literal parts (even indexes) and variable names (odd indexes), in order. */
    private final String[] parts;

    private AccessLogFormat(String[] parts) {
        this.parts = parts;
    }

    /**
     * Compiles {@code format}.
     *
     * @throws IllegalArgumentException naming {@code key} and the first variable it cannot print
     */
    public static AccessLogFormat compile(String format, String key) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            int start = i + 1;
            int end;
            String name;
            if (start < format.length() && format.charAt(start) == '{') {
                end = format.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException(key + ": " + format.substring(i)
                            + " (expected: ${name} closed by })");
                }
                name = format.substring(start + 1, end);
                end++;
            } else {
                end = start;
                while (end < format.length() && (Character.isLetterOrDigit(format.charAt(end))
                        || format.charAt(end) == '_')) {
                    end++;
                }
                name = format.substring(start, end);
            }
            if (!known(name)) {
                throw new IllegalArgumentException(key + ": $" + name + " (expected: a known variable such as"
                        + " $remote_addr, $request, $status, $body_bytes_sent, $upstream_addr, $request_time,"
                        + " $http_<header>, $arg_<name>, $cookie_<name>)");
            }
            parts.add(literal.toString());
            parts.add(name);
            literal.setLength(0);
            i = end;
        }
        parts.add(literal.toString());
        return new AccessLogFormat(parts.toArray(new String[0]));
    }

    /** Checks {@code format} as {@link #compile} does. */
    public static void check(String format, String key) {
        compile(format, key);
    }

    private static boolean known(String name) {
        if (VARIABLES.contains(name)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return true;
            }
        }
        return false;
    }

    /** The variables this format names, in order; for the caller to know what to collect. */
    List<String> variables() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < parts.length; i += 2) {
            names.add(parts[i]);
        }
        return names;
    }

    /** One line, without its newline, each variable taken from {@code values}. */
    public String format(Function<String, @Nullable String> values) {
        StringBuilder line = new StringBuilder(256);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 0) {
                line.append(parts[i]);
                continue;
            }
            String value = values.apply(parts[i]);
            if (value == null || value.isEmpty()) {
                line.append('-');
            } else {
                escape(value, line);
            }
        }
        return line.toString();
    }

    private static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
                out.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
    }
}
