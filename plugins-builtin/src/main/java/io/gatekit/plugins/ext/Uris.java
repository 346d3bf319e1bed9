package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import io.gatekit.runner.TextEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** How APISIX shows a request's path and arguments to a runner, and takes a runner's path back. */
final class Uris {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Uris() {
    }

    /**
     * The path as nginx's {@code $uri} has it: percent escapes decoded (as UTF-8). A {@code %} not
     * followed by two hex digits stays as it is, and {@code +} is not a space in a path.
     */
    static String decodePath(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
                bytes.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * A runner's path made safe for the request line, as APISIX's {@code core.utils.uri_safe_encode}
     * (nginx {@code NGX_ESCAPE_URI}): control characters, space, {@code #}, {@code %}, {@code ?},
     * DEL and non-ASCII bytes are percent-encoded, so a runner cannot inject a query or a fragment
     * through the path. A path without a leading {@code /} gets one.
     */
    static String safePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 8);
        if (!path.startsWith("/")) {
            out.append('/');
        }
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c <= 0x20 || c == '#' || c == '%' || c == '?' || c >= 0x7F) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /**
     * The query arguments in order, decoded as nginx decodes them ({@code +} is a space); a
     * repeated name gives several entries, a name without {@code =} an entry without a value.
     */
    static List<TextEntry> args(@Nullable String rawQuery) {
        List<TextEntry> args = new ArrayList<>();
        QueryParams.split(rawQuery, (name, value) ->
                args.add(value == null ? TextEntry.nameOnly(name) : TextEntry.of(name, value)));
        return args;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
