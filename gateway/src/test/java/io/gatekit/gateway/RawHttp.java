package io.gatekit.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain HTTP/1.1 client over one socket, for what java.net.http hides: exact bytes on the wire,
 * keep-alive reuse, pipelining, the Host header, malformed requests.
 */
public final class RawHttp implements AutoCloseable {

    /** A parsed response. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends raw bytes as they are. */
    public RawHttp send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends raw bytes as they are. */
    public RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** A simple request with Host {@code host}. */
    public RawHttp get(String path, String host) throws IOException {
        return send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    /** Reads one response (for a HEAD request pass {@code head}). */
    public Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; !(line = line()).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + "," + b);
        }
        byte[] body = new byte[0];
        if (!head && status != 204 && status != 304) {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked();
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            }
        }
        return new Response(status, headers, body);
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** Reads one response and counts its body without keeping it (for huge bodies). */
    public long readCountingBody() throws IOException {
        String statusLine = line();
        if (statusLine == null || !statusLine.contains(" 200 ")) {
            throw new IOException("unexpected status line: " + statusLine);
        }
        boolean chunked = false;
        long length = -1;
        for (String line; !(line = line()).isEmpty(); ) {
            String lower = line.toLowerCase(Locale.ROOT);
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            }
        }
        long total = 0;
        byte[] skip = new byte[64 * 1024];
        if (!chunked) {
            for (long left = length; left > 0; ) {
                int r = in.read(skip, 0, (int) Math.min(skip.length, left));
                if (r < 0) {
                    throw new IOException("body ended after " + total + " bytes");
                }
                left -= r;
                total += r;
            }
            return total;
        }
        while (true) {
            int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return total;
            }
            for (int left = size; left > 0; ) {
                int r = in.read(skip, 0, Math.min(skip.length, left));
                if (r < 0) {
                    throw new IOException("chunk ended early");
                }
                left -= r;
                total += r;
            }
            line();
        }
    }

    /** The socket, for tests that tune it (buffer sizes, timeouts). */
    public Socket socket() {
        return socket;
    }

    /** Whether the server closes the connection (EOF or reset) within the socket timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
