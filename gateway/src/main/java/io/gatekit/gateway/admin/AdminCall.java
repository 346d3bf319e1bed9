package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Admin API request on its way through {@link AdminAccess} to an endpoint: the request, the
 * path segments under {@code /apisix/admin}, and the query, parsed when first asked for (so a bad
 * query is refused only after {@code allow_admin} has let the client in).
 */
final class AdminCall {

    private final AdminRequest request;
    private final List<String> segments;
    private @Nullable QueryParams query;

    AdminCall(AdminRequest request, List<String> segments) {
        this.request = request;
        this.segments = segments;
    }

    /**
     * The call for {@code request}.
     *
     * @throws AdminError 404 when the path is not under {@code /apisix/admin}, 400 on a bad escape
     */
    static AdminCall of(AdminRequest request) {
        List<String> segments = segments(request.path());
        if (segments.size() < 2 || !segments.get(0).equals("apisix") || !segments.get(1).equals("admin")) {
            throw AdminError.of(404, "not found");
        }
        return new AdminCall(request, segments.subList(2, segments.size()));
    }

    AdminRequest request() {
        return request;
    }

    String method() {
        return request.method();
    }

    byte[] body() {
        return request.body();
    }

    /** The segments under {@code /apisix/admin}: {@code [routes, 1]}. */
    List<String> segments() {
        return segments;
    }

    /** This call with its first segment dropped: {@code schema/plugins/x} as {@code plugins/x}. */
    AdminCall shifted() {
        AdminCall shifted = new AdminCall(request, segments.subList(1, segments.size()));
        shifted.query = query;
        return shifted;
    }

    /** The segments after the first, the endpoint's name: {@code [1]} for {@code routes/1}. */
    List<String> rest() {
        return segments.isEmpty() ? segments : segments.subList(1, segments.size());
    }

    /**
     * The query arguments.
     *
     * @throws AdminError 400 when the query has a bad percent escape
     */
    QueryParams query() {
        QueryParams parsed = query;
        if (parsed == null) {
            try {
                parsed = QueryParams.parse(request.rawQuery());
            } catch (IllegalArgumentException e) {
                throw AdminError.badRequest("invalid query string", "", "query", "query: " + request.rawQuery()
                        + " (expected: name=value pairs with valid percent escapes)");
            }
            query = parsed;
        }
        return parsed;
    }

    /**
     * The non-empty segments of {@code path}, percent escapes decoded (nginx hands APISIX a
     * decoded URI with merged slashes).
     */
    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>(6);
        for (String raw : path.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decode(raw, path));
            }
        }
        return segments;
    }

    private static String decode(String segment, String path) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        int i = 0;
        while (i < segment.length()) {
            int percent = segment.indexOf('%', i);
            int end = percent < 0 ? segment.length() : percent;
            byte[] plain = segment.substring(i, end).getBytes(StandardCharsets.UTF_8);
            out.write(plain, 0, plain.length);
            if (percent < 0) {
                break;
            }
            int hi = percent + 2 < segment.length() ? Character.digit(segment.charAt(percent + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(segment.charAt(percent + 2), 16);
            if (lo < 0) {
                throw AdminError.badRequest("invalid request uri: " + path, "", "uri",
                        "path: " + path + " (expected: % followed by two hex digits)");
            }
            out.write(hi * 16 + lo);
            i = percent + 3;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
