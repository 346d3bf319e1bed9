package io.gatekit.testkit.host;

import io.gatekit.api.http.HttpHeaders;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The suite's client: HTTP/1.1 over a fresh socket, headers exactly as given, the body written by a
 * thread of its own (so a host that stops reading blocks that thread, not the test), the response
 * read by content length, chunks, or to the end of the connection.
 */
final class RawClient {

    private static final int READ_TIMEOUT_MILLIS = 30_000;
    /** Body writers block while the host applies back-pressure: threads of their own, not a shared pool's. */
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "conformance-client-writer");
        thread.setDaemon(true);
        return thread;
    });

    private RawClient() {
    }

    static ClientResponse send(InetSocketAddress address, ClientRequest request) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(request.method()).append(' ').append(request.target())
                    .append(" HTTP/1.1\r\n");
            HttpHeaders headers = request.headers();
            if (!headers.contains("host")) {
                head.append("Host: ").append(address.getHostString()).append(':').append(address.getPort()).append("\r\n");
            }
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            boolean hasBody = request.body() != null || request.generatedBytes() >= 0;
            if (hasBody) {
                head.append("Content-Length: ").append(request.bodyLength()).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            CompletableFuture<Void> written = hasBody ? CompletableFuture.runAsync(() -> writeBody(out, request), WRITERS)
                    : CompletableFuture.completedFuture(null);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            ClientResponse response = read(in, request);
            written.cancel(true);
            return response;
        }
    }

    private static void writeBody(OutputStream out, ClientRequest request) {
        try {
            if (request.body() != null) {
                out.write(request.body());
                request.sent().addAndGet(request.body().length);
            } else {
                Wire.writeGenerated(out, request.generatedBytes(), request.sent());
            }
            out.flush();
        } catch (IOException e) {
            // the host answered early or closed: the response tells what happened
        }
    }

    private static ClientResponse read(InputStream in, ClientRequest request) throws Exception {
        String status;
        List<String[]> lines;
        do {
            status = Wire.line(in);
            if (status == null) {
                throw new IOException("the host closed the connection without a response");
            }
            lines = Wire.headers(in);
        } while (status.split(" ")[1].startsWith("1")); // interim responses
        int code = Integer.parseInt(status.split(" ")[1]);
        HttpHeaders headers = HttpHeaders.of();
        lines.forEach(h -> headers.add(h[0], h[1]));
        request.bodyGate().get(60, TimeUnit.SECONDS);
        CRC32 crc = new CRC32();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long[] length = {0};
        Wire.Sink sink = (buffer, count) -> {
            crc.update(buffer, 0, count);
            if (length[0] + count <= ClientResponse.KEEP) {
                kept.write(buffer, 0, count);
            }
            length[0] += count;
        };
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        boolean bodiless = request.method().equals("HEAD") || code == 204 || code == 304;
        if (!bodiless) {
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                Wire.readChunked(in, sink);
            } else if (cl != null) {
                Wire.readFixed(in, Long.parseLong(cl.trim()), sink);
            } else {
                Wire.readToEnd(in, sink);
            }
        }
        return new ClientResponse(code, headers, length[0] <= ClientResponse.KEEP ? kept.toByteArray() : null,
                length[0], crc.getValue());
    }
}
