package com.example.host;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host application that embeds the Gatekit engine: the JDK's {@link HttpServer} takes client
 * requests, the JDK's {@link HttpClient} calls the upstream, and this class translates between
 * them and the engine's transport-neutral model, driving each request's {@link Call} through its
 * steps. Not the gateway: about three hundred lines, to show what any host does.
 *
 * <pre>{@code
 * Engine engine = Engine.builder().discoverPlugins().build();   // finds plugin jars on the class path
 * engine.put(ResourceKind.ROUTES, "1", """
 *     {"uri": "/hello", "upstream": {"nodes": {"127.0.0.1:1980": 1}},
 *      "plugins": {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}}""");
 * EmbeddingHost host = EmbeddingHost.start(engine, new InetSocketAddress("127.0.0.1", 9080));
 * }</pre>
 *
 * <p>Threads. {@code HttpServer}'s API is blocking: a worker reads the request body and, at the
 * end, writes the response. Between the two nothing waits: the worker runs the synchronous plugins
 * and returns; an async plugin resumes the exchange on the thread that completes its stage, the
 * upstream answer arrives on the HTTP client's threads, and writing the response is handed back to
 * the workers. So a slow plugin or upstream holds no worker, and a few workers serve many slow
 * requests at once.
 *
 * <p>Simplifications a production host would not make: request bodies are read whole before the
 * plugins run (a streaming host would pipe them to the upstream unless
 * {@link Call#bodyBuffering()} asks for them); the balancer is plain round robin over nodes of
 * weight above 0; connect timeouts are the client's, not per upstream; and the JDK client sets the
 * upstream {@code Host} from the node address unless the JVM runs with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}, so {@code pass_host} is honoured only then.
 */
public final class EmbeddingHost implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EmbeddingHost.class.getName());

    /** Headers of one connection, never forwarded. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade");
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> CLIENT_SETS = Set.of("content-length", "expect", "host");
    private static final boolean HOST_ALLOWED = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "")
            .toLowerCase(Locale.ROOT).contains("host");
    private static final int CHUNK = 8192;

    private final Engine engine;
    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient upstreams;
    private final Map<Upstream, AtomicInteger> cursors = new ConcurrentHashMap<>();

    private EmbeddingHost(Engine engine, HttpServer server, ExecutorService workers, HttpClient upstreams) {
        this.engine = engine;
        this.server = server;
        this.workers = workers;
        this.upstreams = upstreams;
    }

    /** Serves {@code engine}'s routes on {@code address} with four worker threads. */
    public static EmbeddingHost start(Engine engine, InetSocketAddress address) throws IOException {
        return start(engine, address, 4);
    }

    /** Serves {@code engine}'s routes on {@code address} with {@code workerThreads} workers. */
    public static EmbeddingHost start(Engine engine, InetSocketAddress address, int workerThreads)
            throws IOException {
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: >= 1)");
        }
        AtomicInteger ids = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(workerThreads, task -> {
            Thread thread = new Thread(task, "host-worker-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        HttpClient upstreams = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpServer server = HttpServer.create(address, 0);
        EmbeddingHost host = new EmbeddingHost(engine, server, workers, upstreams);
        server.createContext("/", host::handle);
        server.setExecutor(workers);
        server.start();
        return host;
    }

    /** Where the host listens (with the real port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening and the workers. The engine belongs to the caller, who closes it. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    /** {@code EmbeddingHost <port> <config.json>}: serves an APISIX standalone config on 127.0.0.1. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddingHost <port> <config.json>   (config: {\"routes\": [...], ...})");
            System.exit(2);
        }
        Engine engine = Engine.builder().discoverPlugins().build();
        engine.replaceAll(Files.readString(Path.of(args[1])));
        EmbeddingHost host = start(engine, new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            engine.close();
        }));
        System.out.println("serving " + engine.list(io.gatekit.engine.ResourceKind.ROUTES).size() + " route(s) on "
                + host.address() + " with plugins " + engine.plugins().stream().map(p -> p.name()).toList());
    }

    // ---- one request ----

    /** On a worker: read the request, start its call, return; the rest continues when each step completes. */
    private void handle(HttpExchange http) throws IOException {
        byte[] body;
        Call call;
        try (InputStream in = http.getRequestBody()) {
            body = in.readAllBytes();
            call = engine.newCall(toEngine(http));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start " + http.getRequestURI(), e);
            http.sendResponseHeaders(500, -1);
            http.close();
            return;
        }
        new Forwarding(http, call, body).start();
    }

    private static HttpRequest toEngine(HttpExchange http) {
        URI uri = http.getRequestURI();
        HttpRequest.Builder request = HttpRequest.builder()
                .method(http.getRequestMethod())
                .path(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                .rawQuery(uri.getRawQuery())
                .remoteAddress(http.getRemoteAddress());
        http.getRequestHeaders().forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        return request.build();
    }

    /** The state of one exchange, from the call's start to the last byte written. */
    private final class Forwarding {
        private final HttpExchange http;
        private final Call call;
        private final byte[] clientBody;
        private boolean fromUpstream;
        private InputStream upstreamBody;
        private long upstreamLength = -1;

        Forwarding(HttpExchange http, Call call, byte[] clientBody) {
            this.http = http;
            this.call = call;
            this.clientBody = clientBody;
        }

        void start() {
            if (call.bodyBuffering().request() && clientBody.length > 0) {
                call.exchange().request().body(clientBody);
            }
            CompletionStage<Void> headersReady;
            try {
                headersReady = settle(call.runRequestPhases())
                        .thenCompose(outcome -> outcome.proceeds() ? proxy(0)
                                : CompletableFuture.completedStage(outcome.response()))
                        .thenCompose(this::headerFilter);
            } catch (RuntimeException e) {
                headersReady = CompletableFuture.failedStage(e);
            }
            // writing blocks on the client socket: back to a worker, never on a plugin's or the client's thread
            headersReady.whenCompleteAsync((ignored, error) -> finish(error), workers);
        }

        /** before_proxy for a node, then the upstream; after a refused connection, the next node. */
        private CompletionStage<HttpResponse> proxy(int attempt) {
            Upstream upstream = call.resolvedUpstream();
            if (upstream == null || upstream.nodes().stream().noneMatch(n -> n.weight() > 0)) {
                return CompletableFuture.completedStage(error(503, "503 Service Unavailable: no upstream node"));
            }
            Upstream.Node node = pick(upstream);
            return settle(call.beforeProxy(node.host(), node.port(), hostHeader(upstream, node)))
                    .thenCompose(outcome -> outcome.proceeds() ? send(upstream, node, attempt)
                            : CompletableFuture.completedStage(outcome.response()));
        }

        private CompletionStage<HttpResponse> send(Upstream upstream, Upstream.Node node, int attempt) {
            java.net.http.HttpRequest request = toUpstream(upstream, node);
            CompletionStage<HttpResponse> answered;
            if (call.bodyBuffering().response()) {
                answered = upstreams.sendAsync(request, BodyHandlers.ofByteArray()).thenApply(r -> {
                    fromUpstream = true;
                    return HttpResponse.of(r.statusCode(), toEngine(r.headers()), r.body());
                });
            } else {
                answered = upstreams.sendAsync(request, BodyHandlers.ofInputStream()).thenApply(r -> {
                    fromUpstream = true;
                    upstreamBody = r.body();
                    upstreamLength = r.headers().firstValueAsLong("content-length").orElse(-1);
                    return HttpResponse.of(r.statusCode(), toEngine(r.headers()), null);
                });
            }
            return answered.exceptionallyCompose(failure -> {
                Throwable cause = unwrap(failure);
                if (cause instanceof ConnectException && attempt < upstream.effectiveRetries()) {
                    return proxy(attempt + 1);
                }
                LOG.log(System.Logger.Level.WARNING, "upstream " + node.address() + " failed: " + cause);
                return CompletableFuture.completedStage(cause instanceof HttpTimeoutException
                        ? error(504, "504 Gateway Timeout") : error(502, "502 Bad Gateway"));
            });
        }

        private java.net.http.HttpRequest toUpstream(Upstream upstream, Upstream.Node node) {
            HttpRequest request = call.exchange().request();
            byte[] body = call.bodyBuffering().request() ? request.body()
                    : request.body() != null ? request.body() : clientBody;
            java.net.http.HttpRequest.Builder out = java.net.http.HttpRequest
                    .newBuilder(URI.create(upstream.scheme() + "://" + node.address() + request.uri()))
                    .method(request.method(), body == null || body.length == 0 ? BodyPublishers.noBody()
                            : BodyPublishers.ofByteArray(body));
            Upstream.Timeouts timeouts = call.routeTimeout() != null ? call.routeTimeout() : upstream.timeout();
            if (timeouts != null) {
                out.timeout(Duration.ofMillis((long) (timeouts.read() * 1000)));
            }
            request.headers().forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(lower) && !CLIENT_SETS.contains(lower)) {
                    out.header(name, value);
                }
            });
            String host = call.exchange().upstream().hostHeader();
            if (HOST_ALLOWED && host != null && !host.isEmpty()) {
                out.header("Host", host);
            }
            return out.build();
        }

        private CompletionStage<Void> headerFilter(HttpResponse response) {
            Completion done = call.headerFilter(response, fromUpstream);
            return done.isDone() ? CompletableFuture.completedStage(null) : done.stage().thenApply(x -> null);
        }

        /** On a worker: write the response, streaming an upstream body through body_filter; then log. */
        private void finish(Throwable error) {
            try {
                if (error != null) {
                    LOG.log(System.Logger.Level.ERROR, "request " + http.getRequestURI() + " failed", error);
                    http.sendResponseHeaders(500, -1);
                } else {
                    write(call.exchange().response());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client of " + http.getRequestURI() + " went away: " + e);
            } finally {
                closeQuietly(upstreamBody);
                http.close();
                call.complete();
            }
        }

        private void write(HttpResponse out) throws IOException {
            out.headers().forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(lower) && !lower.equals("content-length")) {
                    http.getResponseHeaders().add(name, value);
                }
            });
            int status = out.status();
            boolean bodiless = http.getRequestMethod().equals("HEAD") || status == 204 || status == 304 || status < 200;
            if (out.body() != null) {
                ByteBuffer body = filter(ByteBuffer.wrap(out.body()), true);
                http.sendResponseHeaders(status, bodiless || !body.hasRemaining() ? -1 : body.remaining());
                if (!bodiless) {
                    writeTo(http.getResponseBody(), body);
                }
            } else if (upstreamBody != null && !bodiless && upstreamLength != 0) {
                // a body filter may change the length, so the client then gets it chunked (0)
                http.sendResponseHeaders(status, call.filtersBody() || upstreamLength < 0 ? 0 : upstreamLength);
                stream(upstreamBody, http.getResponseBody());
            } else {
                http.sendResponseHeaders(status, -1);
            }
        }

        /** Passes chunks through body_filter one behind the read, so the last one is known as last. */
        private void stream(InputStream in, OutputStream out) throws IOException {
            byte[] buffer = new byte[CHUNK];
            byte[] pending = null;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (n == 0) {
                    continue;
                }
                if (pending != null) {
                    writeTo(out, filter(ByteBuffer.wrap(pending), false));
                }
                pending = Arrays.copyOf(buffer, n);
            }
            writeTo(out, filter(ByteBuffer.wrap(pending == null ? new byte[0] : pending), true));
        }

        private ByteBuffer filter(ByteBuffer chunk, boolean last) {
            return call.filtersBody() ? call.bodyFilter(chunk, last) : chunk;
        }

        private String hostHeader(Upstream upstream, Upstream.Node node) {
            return switch (upstream.passHost()) {
                case "node" -> node.address();
                case "rewrite" -> upstream.upstreamHost() != null ? upstream.upstreamHost() : node.address();
                default -> {
                    String host = call.exchange().request().headers().get("host");
                    yield host != null ? host : node.address();
                }
            };
        }
    }

    // ---- helpers ----

    /** Plain round robin over nodes with a weight above 0; the engine keeps an unchanged upstream's identity. */
    private Upstream.Node pick(Upstream upstream) {
        var usable = upstream.nodes().stream().filter(n -> n.weight() > 0).toList();
        int turn = cursors.computeIfAbsent(upstream, u -> new AtomicInteger()).getAndIncrement();
        return usable.get(Math.floorMod(turn, usable.size()));
    }

    /** An async outcome flattened to a stage; a synchronous one as a completed stage. */
    private static CompletionStage<Outcome> settle(Outcome outcome) {
        return outcome.kind() == Outcome.Kind.ASYNC ? outcome.stage().thenCompose(EmbeddingHost::settle)
                : CompletableFuture.completedStage(outcome);
    }

    private static HttpHeaders toEngine(java.net.http.HttpHeaders headers) {
        HttpHeaders out = HttpHeaders.of();
        headers.map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                values.forEach(value -> out.add(name, value));
            }
        });
        return out;
    }

    private static HttpResponse error(int status, String message) {
        return HttpResponse.of(status, HttpHeaders.of("content-type", "application/json"),
                ("{\"error_msg\":\"" + message + "\"}\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void writeTo(OutputStream out, ByteBuffer chunk) throws IOException {
        if (chunk.hasArray()) {
            out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
        } else {
            byte[] copy = new byte[chunk.remaining()];
            chunk.duplicate().get(copy);
            out.write(copy);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the exchange is over either way
            }
        }
    }
}
