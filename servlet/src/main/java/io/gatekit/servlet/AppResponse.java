package io.gatekit.servlet;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The response the application writes, held back from the client: status and headers stay here
 * until the response commits (the buffer fills, the application flushes, or it returns), then go
 * to the engine as a {@link Response} whose body streams what the application writes next. The
 * engine runs {@code header_filter} on that head, {@code body_filter} on the body and {@code log}
 * at its end, and the filter writes the result to the real response.
 *
 * <p>As a container's response: headers set after the commit are ignored, {@code sendError} and
 * {@code sendRedirect} answer at once (the error page is a plain line of text: the container's
 * error pages are not consulted), and the output is blocking only (the application cannot start
 * async processing on a route with plugins).
 */
final class AppResponse extends HttpServletResponseWrapper {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Consumer<Response> answered;
    private final Supplier<String> defaultEncoding;
    private final HttpHeaders headers = HttpHeaders.of();
    private final AppBody body = new AppBody();
    private int status = 200;
    private @Nullable String contentType;
    private @Nullable String encoding;
    private @Nullable Locale locale;
    private long contentLength = -1;
    private byte[] buffer = new byte[8192];
    private int count;
    private boolean committed;
    private boolean complete;
    private @Nullable AppOutput output;
    private @Nullable PrintWriter writer;

    /**
     * @param answered receives the head with its streaming body, once, when the response commits
     */
    AppResponse(HttpServletResponse response, Consumer<Response> answered) {
        super(response);
        this.answered = answered;
        this.defaultEncoding = () -> {
            String configured = response.getCharacterEncoding();
            return configured == null ? StandardCharsets.ISO_8859_1.name() : configured;
        };
    }

    // ---- the end, as the filter sees it ----

    /** The application returned: what it wrote is the whole body. */
    void finish() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        complete();
    }

    /** The application threw: before the commit the engine answers 500; after, the body breaks off. */
    boolean fail(Throwable error) {
        if (!committed) {
            return false;
        }
        complete = true;
        body.fail(error);
        return true;
    }

    /** Ends the response: what was written is all there is. */
    void complete() throws IOException {
        if (complete) {
            return;
        }
        complete = true;
        if (!committed) {
            committed = true;
            byte[] whole = Arrays.copyOf(buffer, count);
            count = 0;
            answered.accept(new Response(status, head(whole.length), Body.of(whole)));
            return;
        }
        push();
        body.close();
    }

    // ---- commit ----

    private void commit() {
        if (committed) {
            return;
        }
        committed = true;
        answered.accept(new Response(status, head(contentLength), Body.of(body, contentLength)));
    }

    private HttpHeaders head(long length) {
        HttpHeaders head = headers.copy();
        String type = contentType();
        if (type != null) {
            head.set("content-type", type);
        }
        if (length >= 0) {
            head.set("content-length", Long.toString(length));
        }
        if (locale != null && !head.contains("content-language")) {
            head.set("content-language", locale.toLanguageTag());
        }
        return head;
    }

    private void push() throws IOException {
        if (count > 0) {
            byte[] chunk = Arrays.copyOf(buffer, count);
            count = 0;
            body.write(ByteBuffer.wrap(chunk));
        }
    }

    /** Takes bytes the application wrote: into the buffer, or to the engine once committed. */
    void append(byte[] bytes, int offset, int length) throws IOException {
        if (complete) {
            return; // after sendError, sendRedirect or close: nothing more is sent, as in a container
        }
        if (count + length <= buffer.length) {
            System.arraycopy(bytes, offset, buffer, count, length);
            count += length;
            return;
        }
        commit();
        push();
        if (length >= buffer.length) {
            body.write(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)));
        } else {
            System.arraycopy(bytes, offset, buffer, 0, length);
            count = length;
        }
    }

    // ---- status and headers ----

    @Override
    public void setStatus(int sc) {
        if (!committed) {
            status = sc;
        }
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        if (committed) {
            throw new IllegalStateException("sendError: the response is committed");
        }
        resetBuffer();
        status = sc;
        writer = null;
        output = null;
        headers.clear();
        contentType = null;
        encoding = null;
        contentLength = -1;
        if (msg != null && !msg.isEmpty()) {
            byte[] text = (msg + "\n").getBytes(StandardCharsets.UTF_8);
            contentType = "text/plain;charset=utf-8";
            System.arraycopy(text, 0, grow(text.length), 0, text.length);
            count = text.length;
        }
        complete();
    }

    private byte[] grow(int size) {
        if (buffer.length < size) {
            buffer = new byte[size];
        }
        return buffer;
    }

    @Override
    public void sendError(int sc) throws IOException {
        sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        if (committed) {
            throw new IllegalStateException("sendRedirect: the response is committed");
        }
        resetBuffer();
        status = SC_FOUND;
        headers.set("location", location);
        complete();
    }

    @Override
    public void setHeader(String name, String value) {
        if (committed || name == null) {
            return;
        }
        if (special(name, value)) {
            return;
        }
        if (value == null) {
            headers.remove(name);
        } else {
            headers.set(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (committed || name == null || value == null) {
            return;
        }
        if (!special(name, value)) {
            headers.add(name, value);
        }
    }

    /** Content-Type and Content-Length are the response's properties, as the servlet API keeps them. */
    private boolean special(String name, @Nullable String value) {
        if (name.equalsIgnoreCase("content-type")) {
            setContentType(value);
            return true;
        }
        if (name.equalsIgnoreCase("content-length")) {
            try {
                contentLength = value == null ? -1 : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw Arguments.invalid("Content-Length", value, "a number of bytes");
            }
            return true;
        }
        return false;
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, Integer.toString(value));
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public boolean containsHeader(String name) {
        return headers.contains(name) || name.equalsIgnoreCase("content-type") && contentType != null
                || name.equalsIgnoreCase("content-length") && contentLength >= 0;
    }

    @Override
    public String getHeader(String name) {
        if (name.equalsIgnoreCase("content-type")) {
            return contentType();
        }
        if (name.equalsIgnoreCase("content-length")) {
            return contentLength >= 0 ? Long.toString(contentLength) : null;
        }
        return headers.get(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        String special = name.equalsIgnoreCase("content-type") || name.equalsIgnoreCase("content-length")
                ? getHeader(name) : null;
        return special != null ? new ArrayList<>(java.util.List.of(special)) : new ArrayList<>(headers.all(name));
    }

    @Override
    public Collection<String> getHeaderNames() {
        LinkedHashSet<String> names = new LinkedHashSet<>(headers.names());
        if (contentType != null) {
            names.add("content-type");
        }
        if (contentLength >= 0) {
            names.add("content-length");
        }
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        addHeader("Set-Cookie", SetCookie.header(cookie));
    }

    @Override
    public void setContentType(String type) {
        if (committed) {
            return;
        }
        if (type == null) {
            contentType = null;
            return;
        }
        int at = type.toLowerCase(Locale.ROOT).indexOf("charset=");
        if (at >= 0) {
            String charset = type.substring(at + 8).trim();
            int end = charset.indexOf(';');
            encoding = (end < 0 ? charset : charset.substring(0, end)).replace("\"", "").trim();
            String base = type.substring(0, at).trim();
            while (base.endsWith(";")) {
                base = base.substring(0, base.length() - 1).trim();
            }
            contentType = base;
        } else {
            contentType = type;
        }
    }

    /** The Content-Type as sent: with the charset once one is set or a writer is in use, as containers do. */
    private @Nullable String contentType() {
        if (contentType == null) {
            return null;
        }
        if (encoding != null || writer != null) {
            return contentType + ";charset=" + getCharacterEncoding();
        }
        return contentType;
    }

    @Override
    public String getContentType() {
        return contentType();
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (!committed && writer == null) {
            encoding = charset;
        }
    }

    @Override
    public String getCharacterEncoding() {
        return encoding != null ? encoding : defaultEncoding.get();
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (!committed) {
            contentLength = len;
        }
    }

    @Override
    public void setLocale(Locale loc) {
        if (!committed) {
            locale = loc;
        }
    }

    @Override
    public Locale getLocale() {
        return locale != null ? locale : super.getLocale();
    }

    @Override
    public void setTrailerFields(Supplier<Map<String, String>> supplier) {
        throw new IllegalStateException("setTrailerFields: trailers are not sent on a route with plugins"
                + " (expected: no trailers from the application there)");
    }

    // ---- the body ----

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getOutputStream: getWriter() was called on this response");
        }
        if (output == null) {
            output = new AppOutput(this);
        }
        return output;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (output != null) {
                throw new IllegalStateException("getWriter: getOutputStream() was called on this response");
            }
            Charset charset = Charset.forName(getCharacterEncoding());
            encoding = charset.name();
            writer = new PrintWriter(new OutputStreamWriter(new AppOutput(this), charset), false);
        }
        return writer;
    }

    @Override
    public void setBufferSize(int size) {
        if (committed || count > 0) {
            throw new IllegalStateException("setBufferSize: content was written already");
        }
        buffer = new byte[Math.max(size, 512)];
    }

    @Override
    public int getBufferSize() {
        return buffer.length;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        flushOutput();
    }

    /** Commits and sends what is buffered, unless the response is complete. */
    void flushOutput() throws IOException {
        if (!complete) {
            commit();
            push();
        }
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public void reset() {
        if (committed) {
            throw new IllegalStateException("reset: the response is committed");
        }
        count = 0;
        status = 200;
        headers.clear();
        contentType = null;
        encoding = null;
        contentLength = -1;
        locale = null;
        writer = null;
        output = null;
    }

    @Override
    public void resetBuffer() {
        if (committed) {
            throw new IllegalStateException("resetBuffer: the response is committed");
        }
        count = 0;
    }
}
