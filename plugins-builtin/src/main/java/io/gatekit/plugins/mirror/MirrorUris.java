package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import java.nio.charset.StandardCharsets;

/**
 * Builds a copy's URI the way APISIX does ({@code path} replaces or prefixes the path, the query
 * is kept) and makes it a valid URI. The path a host hands the engine may be decoded, so
 * characters a URI cannot carry are percent-encoded here; a string that is already valid comes
 * back unchanged (and unallocated).
 */
final class MirrorUris {

    /** RFC 3986 {@code pchar} and {@code /}: unreserved, sub-delims, {@code :} and {@code @}. */
    private static final boolean[] PATH_SAFE = new boolean[128];
    /** {@code PATH_SAFE} plus {@code ?}, as a query may carry it. */
    private static final boolean[] QUERY_SAFE = new boolean[128];
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static {
        String safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";
        for (char c : safe.toCharArray()) {
            PATH_SAFE[c] = true;
            QUERY_SAFE[c] = true;
        }
        QUERY_SAFE['?'] = true;
    }

    private MirrorUris() {
    }

    /**
     * The path and query of a copy.
     *
     * @param confPath    the configured {@code path}, already {@linkplain #encodePath encoded}, or {@code null}
     * @param prefix      whether {@code path_concat_mode} is {@code prefix}
     * @param path        the final upstream path, as the request holds it
     * @param rawQuery    the final upstream query, or {@code null}
     */
    static String compose(@Nullable String confPath, boolean prefix, String path, @Nullable String rawQuery) {
        String base = confPath == null ? encodePath(path) : prefix ? confPath + encodePath(path) : confPath;
        return rawQuery == null || rawQuery.isEmpty() ? base : base + '?' + encode(rawQuery, QUERY_SAFE);
    }

    /** {@code path} with every character a URI path cannot carry percent-encoded (UTF-8). */
    static String encodePath(String path) {
        return encode(path, PATH_SAFE);
    }

    private static String encode(String s, boolean[] safe) {
        int i = firstUnsafe(s, safe);
        if (i < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        while (i < s.length()) {
            char c = s.charAt(i);
            if (isSafe(s, i, safe)) {
                out.append(c);
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static int firstUnsafe(String s, boolean[] safe) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSafe(s, i, safe)) {
                return i;
            }
        }
        return -1;
    }

    /** A {@code %} is kept only as the start of an escape, so encoding twice changes nothing. */
    private static boolean isSafe(String s, int i, boolean[] safe) {
        char c = s.charAt(i);
        if (c == '%') {
            return i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2));
        }
        return c < 128 && safe[c];
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
