package io.gatekit.engine.internal.route;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One route {@code uri}, parsed once, as lua-resty-radixtree reads it:
 * <ul>
 *   <li>{@link Kind#EXACT} {@code /a/b}: the whole path;</li>
 *   <li>{@link Kind#PREFIX} {@code /a/*} or {@code /a*}: any path that starts with the text before
 *       the {@code *}, character by character ({@code /a/*} matches {@code /a/} and
 *       {@code /a/x/y} but not {@code /a}; {@code /a*} matches {@code /a}, {@code /a/x} and
 *       {@code /abc});</li>
 *   <li>{@link Kind#PARAMS} {@code /user/:id/profile}, {@code /files/*path}: {@code :name} takes
 *       one whole non-empty segment, a final {@code *name} takes the rest of the path (possibly
 *       empty, slashes included).</li>
 * </ul>
 * Every pattern has a {@link #key}: the literal text before its first {@code :}/{@code *}
 * segment (the whole path for exact ones). The router looks keys up; {@link #matches} checks the
 * rest with plain string scans, never a regex.
 */
final class PathPattern {

    enum Kind { EXACT, PREFIX, PARAMS }

    private final String uri;
    private final Kind kind;
    private final String key;
    /** Per capture, its name, or null for an unnamed trailing {@code *} after parameters. */
    private final @Nullable String[] captureNames;
    /** Per capture, the literal text that must follow it ({@code ""} at the end). */
    private final String[] literalsAfter;
    private final boolean endsWithWildcard;
    private final String[] paramNames;

    private PathPattern(String uri, Kind kind, String key, List<String> captureNames,
            List<String> literalsAfter, boolean endsWithWildcard) {
        this.uri = uri;
        this.kind = kind;
        this.key = key;
        this.captureNames = captureNames.toArray(new String[0]);
        this.literalsAfter = literalsAfter.toArray(new String[0]);
        this.endsWithWildcard = endsWithWildcard;
        this.paramNames = captureNames.stream().filter(n -> n != null).toArray(String[]::new);
    }

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException with what is wrong and the expected form, without a name
     */
    static PathPattern parse(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            throw new IllegalArgumentException("expected a path starting with /, such as /api/*,"
                    + " /user/:id or /index.html");
        }
        String[] segments = uri.substring(1).split("/", -1);
        StringBuilder literal = new StringBuilder("/");
        String key = null;
        List<String> names = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (i > 0) {
                literal.append('/');
            }
            char first = segment.isEmpty() ? 0 : segment.charAt(0);
            if (first == ':' || first == '*') {
                if (first == '*' && !last) {
                    throw starNotAtEnd();
                }
                String name = segment.substring(1);
                boolean unnamed = name.isEmpty();
                if (first == '*' && unnamed && names.isEmpty()) {
                    return new PathPattern(uri, Kind.PREFIX, literal.toString(), List.of(), List.of(), false);
                }
                if ((first == ':' && unnamed) || name.indexOf(':') >= 0 || name.indexOf('*') >= 0) {
                    throw new IllegalArgumentException("expected a parameter name after ':' or '*'"
                            + " that has no ':' or '*', as in /user/:id or /files/*path");
                }
                if (!unnamed && !seen.add(name)) {
                    throw new IllegalArgumentException("expected distinct parameter names; '" + name
                            + "' appears twice");
                }
                if (key == null) {
                    key = literal.toString();
                } else {
                    literals.add(literal.toString());
                }
                literal.setLength(0);
                names.add(unnamed ? null : name);
            } else if (segment.indexOf('*') >= 0) {
                if (!last || segment.indexOf('*') != segment.length() - 1 || !names.isEmpty()) {
                    throw starNotAtEnd();
                }
                literal.append(segment, 0, segment.length() - 1);
                return new PathPattern(uri, Kind.PREFIX, literal.toString(), List.of(), List.of(), false);
            } else {
                literal.append(segment);
            }
        }
        if (key == null) {
            return new PathPattern(uri, Kind.EXACT, uri, List.of(), List.of(), false);
        }
        literals.add(literal.toString());
        boolean wildcard = segments[segments.length - 1].startsWith("*");
        return new PathPattern(uri, Kind.PARAMS, key, names, literals, wildcard);
    }

    private static IllegalArgumentException starNotAtEnd() {
        return new IllegalArgumentException("expected '*' only at the end, as in /api/*, /api*"
                + " or /files/*path");
    }

    /** The uri as configured. */
    String uri() {
        return uri;
    }

    Kind kind() {
        return kind;
    }

    /** The literal text every matching path starts with (all of it, for exact patterns). */
    String key() {
        return key;
    }

    /** Names of the captured parameters, in path order; unnamed {@code *} is not captured. */
    String[] paramNames() {
        return paramNames;
    }

    /**
     * Whether {@code path}, which starts with {@link #key}, matches the whole pattern. Allocates
     * nothing.
     */
    boolean matches(String path) {
        return kind != Kind.PARAMS || scan(path, null);
    }

    /**
     * The {@code [start, end)} offsets in {@code path} of each {@link #paramNames() parameter},
     * flattened; call only after {@link #matches} returned true.
     */
    int[] capture(String path) {
        int[] bounds = new int[2 * paramNames.length];
        scan(path, bounds);
        return bounds;
    }

    private boolean scan(String path, int @Nullable [] bounds) {
        int length = path.length();
        int position = key.length();
        int slot = 0;
        for (int i = 0; i < captureNames.length; i++) {
            int start = position;
            int end;
            if (endsWithWildcard && i == captureNames.length - 1) {
                end = length;
            } else {
                end = path.indexOf('/', start);
                end = end < 0 ? length : end;
                if (end == start) {
                    return false;
                }
            }
            if (captureNames[i] != null) {
                if (bounds != null) {
                    bounds[slot] = start;
                    bounds[slot + 1] = end;
                }
                slot += 2;
            }
            String literal = literalsAfter[i];
            if (!path.startsWith(literal, end)) {
                return false;
            }
            position = end + literal.length();
        }
        return position == length;
    }

    @Override
    public String toString() {
        return uri;
    }
}
