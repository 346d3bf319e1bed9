package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway on ephemeral ports with the built-in plugins, its Admin API, and a real upstream
 * that echoes what it received, the way APISIX's own test upstream does: the request line's URI,
 * then every header as {@code name: value}, one per line, names lower-cased and sorted. Paths
 * {@code /status/NNN} answer with that status; {@code /headers?Name=value&...} answers with those
 * response headers.
 */
final class PluginGateway implements AutoCloseable {

    /** What a server received: method, URI as sent, headers (names lower-cased, values in order). */
    record Received(String method, String uri, Map<String, List<String>> headers) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    /** A response as the client read it; headers may repeat. */
    record Response(int status, List<String[]> headers, String body) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        List<String> all(String name) {
            List<String> values = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    values.add(h[1]);
                }
            }
            return values;
        }
    }

    final BlockingQueue<Received> upstreamReceived = new LinkedBlockingQueue<>();
    final BlockingQueue<Received> mirrorReceived = new LinkedBlockingQueue<>();
    private final HttpServer upstream;
    private final HttpServer mirror;
    final Gateway gateway;

    private PluginGateway() throws IOException {
        upstream = server(upstreamReceived, true);
        mirror = server(mirrorReceived, false);
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0));
    }

    static PluginGateway start() throws IOException {
        return new PluginGateway();
    }

    private static HttpServer server(BlockingQueue<Received> into, boolean echo) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> echo(exchange, into, echo));
        server.start();
        return server;
    }

    private static void echo(HttpExchange exchange, BlockingQueue<Received> into, boolean echo) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        String uri = exchange.getRequestURI().toString();
        exchange.getRequestBody().readAllBytes();
        into.add(new Received(exchange.getRequestMethod(), uri, headers));
        StringBuilder body = new StringBuilder("uri: ").append(uri).append('\n');
        headers.forEach((name, values) -> values.forEach(v -> body.append(name).append(": ").append(v).append('\n')));
        byte[] bytes = (echo ? body.toString() : "mirrored").getBytes(StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8, 11)) : 200;
        if (path.equals("/headers") && exchange.getRequestURI().getRawQuery() != null) {
            // as APISIX's test upstream: /headers?Name=value answers with those headers
            for (String pair : exchange.getRequestURI().getQuery().split("&")) {
                int eq = pair.indexOf('=');
                exchange.getResponseHeaders().add(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.getResponseHeaders().add("X-Upstream", "echo");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** {@code host:port} of the echo upstream, for route JSON. */
    String upstreamAddress() {
        return "127.0.0.1:" + upstream.getAddress().getPort();
    }

    /** {@code http://host:port} of the recording mirror. */
    String mirrorUrl() {
        return "http://127.0.0.1:" + mirror.getAddress().getPort();
    }

    /** A route JSON with {@code uri} and {@code plugins} on the echo upstream. */
    String route(String uri, String plugins) {
        return """
                {"uri": "%s", "plugins": %s, "upstream": {"type": "roundrobin", "nodes": {"%s": 1}}}"""
                .formatted(uri, plugins, upstreamAddress());
    }

    /** Calls the Admin API with the admin key; returns status and body. */
    Response admin(String method, String path, String body) throws IOException {
        try (RawHttp http = new RawHttp(gateway.adminPort())) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            http.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: "
                    + GatewayConfig.EXAMPLE_ADMIN_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n");
            http.send(bytes);
            RawHttp.Response r = http.read();
            return new Response(r.status(), List.of(), r.text());
        }
    }

    /** Puts route {@code id}, failing the test unless the Admin API accepts it. */
    void putRoute(String id, String json) throws IOException {
        Response r = admin("PUT", "/apisix/admin/routes/" + id, json);
        assertTrue(r.status() == 200 || r.status() == 201, r.status() + " " + r.body());
    }

    /** Sends a request from 127.0.0.1; {@code headers} are name, value pairs. */
    Response send(String method, String uri, String... headers) throws IOException {
        return sendFrom("127.0.0.1", method, uri, headers);
    }

    /**
     * Sends a request from the loopback address {@code clientIp} (127.0.0.0/8 is all local); from
     * {@code ::1}, the IPv6 loopback, it connects to the gateway on {@code ::1}.
     */
    Response sendFrom(String clientIp, String method, String uri, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(uri).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (int i = 0; i < headers.length; i += 2) {
            host |= headers[i].equalsIgnoreCase("host");
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (!host) {
            head.append("Host: localhost\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(clientIp, 0));
            socket.connect(new InetSocketAddress(clientIp.contains(":") ? "::1" : "127.0.0.1", gateway.port()), 10_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(new BufferedInputStream(socket.getInputStream()), method.equals("HEAD"));
        }
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        List<String[]> headers = new ArrayList<>();
        for (String line; !(line = line(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
        Response partial = new Response(Integer.parseInt(status.split(" ")[1]), headers, "");
        byte[] body;
        if (head) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(partial.header("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                out.writeBytes(in.readNBytes(size));
                line(in);
            }
            while (!line(in).isEmpty()) {
                // trailers
            }
            body = out.toByteArray();
        } else if (partial.header("content-length") != null) {
            body = in.readNBytes(Integer.parseInt(partial.header("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(partial.status(), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed mid-line");
            }
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** The next request the upstream received. */
    Received upstreamGot() throws InterruptedException {
        Received r = upstreamReceived.poll(10, TimeUnit.SECONDS);
        assertTrue(r != null, "the upstream received nothing within 10 s");
        return r;
    }

    /** The next copy the mirror received; copies leave after the client's answer, so wait for it. */
    Received mirrorGot() throws InterruptedException {
        Received r = mirrorReceived.poll(10, TimeUnit.SECONDS);
        assertTrue(r != null, "the mirror received nothing within 10 s");
        return r;
    }

    @Override
    public void close() {
        gateway.close();
        upstream.stop(0);
        mirror.stop(0);
        ((java.util.concurrent.ExecutorService) upstream.getExecutor()).shutdownNow();
        ((java.util.concurrent.ExecutorService) mirror.getExecutor()).shutdownNow();
    }
}
