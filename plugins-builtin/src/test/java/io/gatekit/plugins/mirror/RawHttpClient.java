package io.gatekit.plugins.mirror;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal HTTP/1.1 client on plain sockets that sends exactly the headers it is given, Host
 * included: the engine's default client ({@code java.net.http}) refuses to set Host and adds a
 * User-Agent, so it cannot show which headers a copy carries.
 */
final class RawHttpClient implements HttpClient, AutoCloseable {

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-http-client");
        t.setDaemon(true);
        return t;
    });

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        return CompletableFuture.supplyAsync(() -> exchange(request), executor);
    }

    private static OutboundResponse exchange(OutboundRequest request) {
        URI uri = request.uri();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()),
                    (int) request.connectTimeout().toMillis());
            socket.setSoTimeout((int) request.readTimeout().toMillis());
            write(socket.getOutputStream(), request);
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(OutputStream out, OutboundRequest request) throws IOException {
        URI uri = request.uri();
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder head = new StringBuilder(request.method()).append(' ').append(target).append(" HTTP/1.1\r\n");
        request.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (!request.headers().contains("host")) {
            head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        if (body.length > 0) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static OutboundResponse read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head ended");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        HttpHeaders headers = HttpHeaders.of();
        int length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            headers.add(name, value);
            if (name.toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(value);
            }
        }
        return new OutboundResponse(status, headers, in.readNBytes(length));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
