package io.gatekit.engine.internal;

import java.nio.charset.StandardCharsets;

/**
 * A request path as nginx's {@code $uri} has it, which is what APISIX routes on and shows as the
 * {@code uri} variable: percent escapes decoded, {@code .} and {@code ..} segments resolved and
 * repeated slashes merged ({@code merge_slashes on}, nginx's default). The rules are those of
 * nginx's {@code ngx_http_parse_complex_uri}:
 * <ul>
 *   <li>a decoded {@code %2F} or {@code %2E} counts as a slash or a dot (so {@code /a/%2e%2e/b}
 *       is {@code /b}), while a decoded {@code %25}, {@code %23} and {@code %3F} stay literal
 *       characters;</li>
 *   <li>a {@code %} without two hex digits after it, {@code %00}, and a {@code ..} that would
 *       climb above the root make the request invalid: nginx answers 400 before any phase;</li>
 *   <li>{@code +} stays a {@code +}; a raw {@code #} or {@code ?} ends the path.</li>
 * </ul>
 * A path with none of {@code %}, {@code #}, {@code ?}, {@code //} or {@code /.} is already
 * normal and is returned as the same instance, so the common request costs a scan, no garbage.
 * Decoded bytes are read as UTF-8; characters above ASCII in the raw path are taken as UTF-8 too.
 */
final class NginxUri {

    /** Why a path cannot be normalized; nginx answers such a request 400. Stackless: clients cause it. */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static final int USUAL = 0;
    private static final int SLASH = 1;
    private static final int DOT = 2;
    private static final int DOT_DOT = 3;

    private NginxUri() {
    }

    /** {@code raw} normalized as nginx's {@code $uri}; throws {@link Invalid} where nginx answers 400. */
    static String normalize(String raw) {
        return isNormal(raw) ? raw : parse(raw);
    }

    private static boolean isNormal(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c == '#' || c == '?') {
                return false;
            }
            if (c == '/' && i + 1 < raw.length() && (raw.charAt(i + 1) == '/' || raw.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String parse(String raw) {
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int u = 0;
        int state = USUAL;
        int p = 0;
        while (p < in.length) {
            int ch = in[p++] & 0xFF;
            if (ch == '%') {
                // decode, then treat the decoded byte in the current state, as nginx's sw_quoted_second
                if (p + 2 > in.length) {
                    throw new Invalid(raw.substring(raw.lastIndexOf('%')) + " (expected: % and two hex digits)");
                }
                int hi = hex(in[p]);
                int lo = hex(in[p + 1]);
                if (hi < 0 || lo < 0) {
                    throw new Invalid("%" + (char) (in[p] & 0xFF) + (char) (in[p + 1] & 0xFF)
                            + " (expected: % and two hex digits)");
                }
                p += 2;
                ch = hi << 4 | lo;
                if (ch == 0) {
                    throw new Invalid("%00 (expected: no NUL byte)");
                }
                if (ch == '%' || ch == '#' || ch == '?') {
                    out[u++] = (byte) ch;
                    state = USUAL;
                    continue;
                }
            } else if (ch == '#' || ch == '?') {
                break;
            }
            switch (state) {
                case SLASH -> {
                    if (ch == '/') {
                        continue; // merge_slashes
                    }
                    out[u++] = (byte) ch;
                    state = ch == '.' ? DOT : USUAL;
                }
                case DOT -> {
                    if (ch == '/') {
                        u--; // "/./" is "/"
                        state = SLASH;
                    } else {
                        out[u++] = (byte) ch;
                        state = ch == '.' ? DOT_DOT : USUAL;
                    }
                }
                case DOT_DOT -> {
                    if (ch == '/') {
                        u = parent(out, u);
                        state = SLASH;
                    } else {
                        out[u++] = (byte) ch;
                        state = USUAL;
                    }
                }
                default -> {
                    out[u++] = (byte) ch;
                    if (ch == '/') {
                        state = SLASH;
                    }
                }
            }
        }
        if (state == DOT) {
            u--;
        } else if (state == DOT_DOT) {
            u = parent(out, u);
        }
        return new String(out, 0, u, StandardCharsets.UTF_8);
    }

    /** Where the output goes on after "/seg/..": just past the slash before "seg". */
    private static int parent(byte[] out, int u) {
        int i = u - 4; // before "/.."
        while (i >= 0 && out[i] != '/') {
            i--;
        }
        if (i < 0) {
            throw new Invalid("/.. above the root (expected: no more .. segments than segments before them)");
        }
        return i + 1;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int c = b | 0x20;
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
