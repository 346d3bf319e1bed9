package io.gatekit.servlet;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.QueryParams;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The request the application sees on a route with plugins: as the plugins left it. Method, URI
 * (path and query), headers and a body a plugin read or replaced come from the engine's request;
 * the rest (session, attributes, addresses, the servlet mapping chosen for the path as received)
 * from the container's. A body no plugin read is the container's own stream, untouched.
 *
 * <p>The application answers synchronously: {@link #startAsync()} is refused, since the filter
 * already runs the request asynchronously around it.
 */
final class AppRequest extends HttpServletRequestWrapper {

    private final HttpRequest request;
    private final @Nullable String receivedQuery;
    private @Nullable Map<String, String[]> parameters;

    AppRequest(HttpServletRequest container, HttpRequest request) {
        super(container);
        this.request = request;
        this.receivedQuery = container.getQueryString();
    }

    @Override
    public String getMethod() {
        return request.method();
    }

    @Override
    public String getRequestURI() {
        return request.path();
    }

    @Override
    public String getQueryString() {
        return request.rawQuery();
    }

    @Override
    public StringBuffer getRequestURL() {
        StringBuffer url = new StringBuffer(getScheme()).append("://").append(getServerName());
        int port = getServerPort();
        if (port > 0 && !(port == 80 && "http".equals(getScheme())) && !(port == 443 && "https".equals(getScheme()))) {
            url.append(':').append(port);
        }
        return url.append(request.path());
    }

    // ---- headers ----

    @Override
    public String getHeader(String name) {
        List<String> framing = framing(name);
        return framing != null ? (framing.isEmpty() ? null : framing.get(0)) : request.headers().get(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        List<String> framing = framing(name);
        return Collections.enumeration(framing != null ? framing : request.headers().all(name));
    }

    /**
     * With a body a plugin read (or replaced), that body's framing: Content-Length is its length and
     * Transfer-Encoding is gone, whatever the client declared. {@code null} for any other header,
     * or when the body is the container's own stream.
     */
    private @Nullable List<String> framing(String name) {
        byte[] body = request.body();
        if (body == null) {
            return null;
        }
        if (name.equalsIgnoreCase("content-length")) {
            return List.of(Integer.toString(body.length));
        }
        return name.equalsIgnoreCase("transfer-encoding") ? List.of() : null;
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        if (request.body() == null) {
            return Collections.enumeration(request.headers().names());
        }
        java.util.Set<String> names = new java.util.LinkedHashSet<>(request.headers().names());
        names.remove("transfer-encoding");
        names.add("content-length");
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value.trim());
    }

    @Override
    public long getDateHeader(String name) {
        String value = getHeader(name);
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: an HTTP date)", e);
        }
    }

    @Override
    public String getContentType() {
        return getHeader("content-type");
    }

    @Override
    public int getContentLength() {
        long length = getContentLengthLong();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    @Override
    public long getContentLengthLong() {
        byte[] body = request.body();
        if (body != null) {
            return body.length;
        }
        String declared = getHeader("content-length");
        try {
            return declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- the body ----

    @Override
    public ServletInputStream getInputStream() throws IOException {
        byte[] body = request.body();
        return body == null ? super.getInputStream() : new Bytes(body);
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (request.body() == null) {
            return super.getReader();
        }
        String encoding = getCharacterEncoding();
        Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }

    // ---- parameters: the container's, unless a plugin changed the query or read the body ----

    private boolean containerParameters() {
        return request.body() == null && Objects.equals(receivedQuery, request.rawQuery());
    }

    private Map<String, String[]> parameters() {
        if (parameters == null) {
            Map<String, List<String>> collected = new LinkedHashMap<>();
            collect(QueryParams.parse(request.rawQuery()), collected);
            byte[] body = request.body();
            String type = getContentType();
            if (body != null && type != null
                    && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                collect(QueryParams.parse(new String(body, StandardCharsets.UTF_8)), collected);
            }
            Map<String, String[]> map = new LinkedHashMap<>();
            collected.forEach((name, values) -> map.put(name, values.toArray(new String[0])));
            parameters = Collections.unmodifiableMap(map);
        }
        return parameters;
    }

    private static void collect(QueryParams params, Map<String, List<String>> into) {
        for (int i = 0; i < params.size(); i++) {
            into.computeIfAbsent(params.name(i), n -> new java.util.ArrayList<>()).add(params.value(i));
        }
    }

    @Override
    public String getParameter(String name) {
        if (containerParameters()) {
            return super.getParameter(name);
        }
        String[] values = parameters().get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return containerParameters() ? super.getParameterMap() : parameters();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return containerParameters() ? super.getParameterNames() : Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        if (containerParameters()) {
            return super.getParameterValues(name);
        }
        String[] values = parameters().get(name);
        return values == null ? null : values.clone();
    }

    // ---- no async processing inside ----

    @Override
    public boolean isAsyncSupported() {
        return false;
    }

    @Override
    public AsyncContext startAsync() {
        throw refused();
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        throw refused();
    }

    private static IllegalStateException refused() {
        return new IllegalStateException("startAsync: the Gatekit filter runs this request asynchronously around"
                + " the application already (expected: a synchronous answer on a route with plugins and no upstream)");
    }

    /** A buffered body as the servlet's input stream. */
    private static final class Bytes extends ServletInputStream {
        private final ByteArrayInputStream in;

        Bytes(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] bytes, int offset, int length) {
            return in.read(bytes, offset, length);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("setReadListener: the body was read whole for a plugin"
                    + " (expected: blocking reads by the application)");
        }
    }
}
