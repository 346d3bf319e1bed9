package com.example.host;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A host application that embeds the Gatekit engine: the JDK's {@link HttpServer} takes client
 * requests, {@link Engine#serve} does everything else (plugins, node choice, retries,
 * {@code pass_host}, timeouts, body filters, log) and calls the upstream through
 * {@link JdkTransport}. This class only translates between the server and the engine: bodies
 * stream both ways, and no server thread waits for a plugin or the upstream.
 *
 * <pre>{@code
 * Engine engine = Engine.builder().discoverPlugins().build();   // finds plugin jars on the class path
 * engine.put(ResourceKind.ROUTES, "1", """
 *     {"uri": "/hello", "upstream": {"nodes": {"127.0.0.1:1980": 1}},
 *      "plugins": {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}}""");
 * EmbeddingHost host = EmbeddingHost.start(engine, new InetSocketAddress("127.0.0.1", 9080), 4);
 * }</pre>
 *
 * <p>The JDK client sets the upstream's {@code Host} itself unless the JVM runs with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}; see {@link JdkTransport}.
 */
public final class EmbeddingHost implements AutoCloseable {

    private final Engine engine;
    private final HttpServer server;
    private final ExecutorService workers;
    private final JdkTransport transport = JdkTransport.create();

    private EmbeddingHost(Engine engine, InetSocketAddress address, int workerThreads) throws IOException {
        this.engine = engine;
        this.workers = Executors.newFixedThreadPool(workerThreads);
        this.server = HttpServer.create(address, 0);
        server.createContext("/", this::handle);
        server.setExecutor(workers);
        server.start();
    }

    /** Serves {@code engine}'s routes on {@code address} with {@code workerThreads} workers; the engine stays the caller's. */
    public static EmbeddingHost start(Engine engine, InetSocketAddress address, int workerThreads) throws IOException {
        return new EmbeddingHost(engine, address, workerThreads);
    }

    /** Where the host listens (with the real port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    private void handle(HttpExchange http) {
        HttpRequest.Builder request = HttpRequest.builder().method(http.getRequestMethod())
                .uri(http.getRequestURI().toString()) // as sent: path and query still encoded
                .remoteAddress(http.getRemoteAddress()).localAddress(http.getLocalAddress());
        http.getRequestHeaders().forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        String declared = http.getRequestHeaders().getFirst("content-length");
        long length = declared != null ? Long.parseLong(declared)
                : http.getRequestHeaders().containsKey("transfer-encoding") ? -1 : 0;
        Body body = length == 0 ? Body.empty() : Body.of(BodyPublishers.ofInputStream(http::getRequestBody), length);
        engine.serve(request.build(), body, transport).thenAccept(response -> workers.execute(() -> reply(http, response)));
    }

    /** On a worker: the head, then the body chunk by chunk, each written by a worker; log runs at its end. */
    private void reply(HttpExchange http, Response response) {
        response.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length")) {
                http.getResponseHeaders().add(name, value);
            }
        });
        long length = response.body().length();
        boolean bodiless = http.getRequestMethod().equals("HEAD") || response.status() == 204
                || response.status() == 304 || length == 0;
        try {
            http.sendResponseHeaders(response.status(), bodiless ? -1 : length < 0 ? 0 : length);
        } catch (IOException e) {
            // the client went away: writing the body fails too, which cancels it
        }
        response.body().writeTo(http.getResponseBody(), workers).whenComplete((done, error) -> http.close());
    }
}
