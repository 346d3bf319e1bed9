package io.gatekit.testkit;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.Upstream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Drives one {@link Call} the way a host does, without sockets: request phases, before_proxy, an
 * in-memory upstream, header_filter, body_filter, log. Every step continues when the previous one
 * completes, on whatever thread completed it, so nothing here waits; {@link #result()} completes
 * when the exchange is over.
 */
final class Run {

    private static final Set<Phase> REQUEST_PHASES = EnumSet.of(Phase.REWRITE, Phase.ACCESS, Phase.BEFORE_PROXY);
    private static final byte[] ENGINE_NOT_FOUND = "{\"error_msg\":\"404 Route Not Found\"}\n"
            .getBytes(StandardCharsets.UTF_8);

    /** One listener event: a phase finished, or a plugin failed. */
    private record Event(String plugin, Phase phase, long nanos, Instant at, @Nullable Throwable failure) {
    }

    private final Call call;
    private final Explanation plan;
    private final ManualClock clock;
    private final Function<HttpRequest, HttpResponse> upstream;
    private final int chunkSize;
    private final BiPredicate<String, Phase> traced;
    private final Instant startedAt;
    private final List<Event> events = new ArrayList<>();
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private volatile boolean abandoned;
    private volatile String waitingIn = "rewrite";
    private volatile @Nullable HttpRequest upstreamRequest;
    private volatile boolean fromUpstream;
    private volatile byte @Nullable [] streamedBody;
    private volatile Runnable ended = () -> { };

    Run(Call call, Explanation plan, ManualClock clock, Function<HttpRequest, HttpResponse> upstream, int chunkSize,
            BiPredicate<String, Phase> traced) {
        this.call = call;
        this.traced = traced;
        this.plan = plan;
        this.clock = clock;
        this.upstream = upstream;
        this.chunkSize = chunkSize;
        this.startedAt = clock.instant();
    }

    CompletableFuture<RunResult> result() {
        return result;
    }

    // ---- listener events, from any thread ----

    void phaseRan(String plugin, Phase phase, long nanos) {
        record(new Event(plugin, phase, nanos, clock.instant(), null));
    }

    void pluginFailed(String plugin, Phase phase, Throwable error) {
        record(new Event(plugin, phase, -1, clock.instant(), error));
    }

    private void record(Event event) {
        if (abandoned || !traced.test(event.plugin(), event.phase())) {
            return;
        }
        synchronized (events) {
            events.add(event);
        }
    }

    // ---- driving ----

    /** Starts the exchange; {@code ended} runs once it is over, before {@link #result()} completes. */
    void start(Runnable ended) {
        this.ended = ended;
        CompletionStage<Outcome> requestSide;
        try {
            requestSide = settle(call.runRequestPhases());
        } catch (RuntimeException e) {
            requestSide = CompletableFuture.failedStage(e);
        }
        requestSide
                .thenCompose(this::beforeProxy)
                .thenCompose(this::headerFilter)
                .thenApply(ignored -> bodyFilter())
                .whenComplete(this::finish);
    }

    private static CompletionStage<Outcome> settle(Outcome outcome) {
        return outcome.kind() == Outcome.Kind.ASYNC ? outcome.stage().thenCompose(Run::settle)
                : CompletableFuture.completedStage(outcome);
    }

    private CompletionStage<Outcome> beforeProxy(Outcome requestPhases) {
        checkLive();
        if (!requestPhases.proceeds()) {
            return CompletableFuture.completedStage(requestPhases);
        }
        waitingIn = "before_proxy";
        Upstream.Node node = pickNode(call.resolvedUpstream());
        return settle(call.beforeProxy(node.host(), node.port(), hostHeader(node)));
    }

    private CompletionStage<?> headerFilter(Outcome outcome) {
        checkLive();
        HttpResponse response;
        if (outcome.proceeds()) {
            waitingIn = "the upstream";
            HttpRequest sent = copy(call.exchange().request());
            upstreamRequest = sent;
            response = copy(upstream.apply(copy(sent)));
            fromUpstream = true;
            if (!call.bodyBuffering().response()) {
                streamedBody = response.body(); // streams through body_filter after header_filter
                response.body(null);
            }
        } else {
            response = outcome.response();
        }
        waitingIn = "header_filter";
        Completion completion = call.headerFilter(response, fromUpstream);
        return completion.isDone() ? CompletableFuture.completedStage(null) : completion.stage();
    }

    /** As the gateway: a whole body passes body_filter once; a streamed one chunk by chunk. */
    private List<byte[]> bodyFilter() {
        checkLive();
        waitingIn = "body_filter";
        HttpResponse out = call.exchange().response();
        boolean filters = call.filtersBody();
        List<byte[]> chunks = new ArrayList<>();
        if (out != null && out.body() != null) {
            byte[] body = out.body();
            chunks.add(filters ? bytes(call.bodyFilter(ByteBuffer.wrap(body), true)) : body);
        } else if (fromUpstream) {
            byte[] body = streamedBody == null ? new byte[0] : streamedBody;
            int size = chunkSize > 0 ? chunkSize : Math.max(1, body.length);
            int from = 0;
            do {
                int to = Math.min(body.length, from + size);
                byte[] chunk = Arrays.copyOfRange(body, from, to);
                boolean last = to >= body.length;
                chunks.add(filters ? bytes(call.bodyFilter(ByteBuffer.wrap(chunk), last)) : chunk);
                from = to;
            } while (from < body.length);
        }
        return chunks;
    }

    private void finish(@Nullable List<byte[]> chunks, @Nullable Throwable error) {
        waitingIn = "log";
        Throwable failure = error;
        RunResult done = null;
        try {
            call.complete();
            if (failure == null && chunks != null) {
                done = buildResult(chunks);
            }
        } catch (RuntimeException | Error e) {
            failure = failure == null ? e : failure;
        }
        abandoned = true; // late listener events belong to no run
        ended.run();
        if (failure != null) {
            result.completeExceptionally(unwrap(failure));
        } else {
            result.complete(done);
        }
    }

    private RunResult buildResult(List<byte[]> chunks) {
        HttpResponse out = call.exchange().response();
        byte[] body = chunks.isEmpty() ? (out == null ? null : out.body()) : concat(chunks);
        HttpResponse response = out == null ? HttpResponse.of(500)
                : HttpResponse.of(out.status(), out.headers().copy(), body);
        List<RunResult.Step> steps = steps();
        HttpRequest sent = upstreamRequest;
        String answeredBy = sent != null || isEngineNotFound(response) ? null : lastRequestPhasePlugin(steps);
        return new RunResult(call.exchange(), steps, response, chunks, sent, answeredBy,
                Duration.between(startedAt, clock.instant()));
    }

    private boolean isEngineNotFound(HttpResponse response) {
        return !call.matched() && response.status() == 404 && Arrays.equals(ENGINE_NOT_FOUND, response.body());
    }

    private static @Nullable String lastRequestPhasePlugin(List<RunResult.Step> steps) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (REQUEST_PHASES.contains(steps.get(i).phase())) {
                return steps.get(i).plugin();
            }
        }
        return null;
    }

    /**
     * The listener's events as steps. The engine reports a failure next to the phase's timing, before
     * or after it depending on the phase, and for a failing header_filter reports the failure only;
     * a failure is merged into the adjacent timing of the same plugin and phase, or stands alone.
     */
    List<RunResult.Step> steps() {
        List<Event> all;
        synchronized (events) {
            all = List.copyOf(events);
        }
        List<RunResult.Step> steps = new ArrayList<>();
        boolean[] used = new boolean[all.size()];
        for (int i = 0; i < all.size(); i++) {
            if (used[i]) {
                continue;
            }
            Event e = all.get(i);
            Event pair = i + 1 < all.size() ? all.get(i + 1) : null;
            if (pair != null && pair.plugin().equals(e.plugin()) && pair.phase() == e.phase()
                    && (pair.failure() == null) != (e.failure() == null)) {
                used[i + 1] = true;
                Event timing = e.failure() == null ? e : pair;
                Event failed = e.failure() == null ? pair : e;
                steps.add(new RunResult.Step(e.plugin(), e.phase(), timing.nanos(), timing.at(), failed.failure()));
            } else {
                steps.add(new RunResult.Step(e.plugin(), e.phase(), e.nanos(), e.at(), e.failure()));
            }
        }
        return steps;
    }

    // ---- giving up ----

    /** Stops the run after a timeout: later events are ignored and the call is completed to free its config. */
    void abandon() {
        abandoned = true;
        try {
            call.complete();
        } catch (RuntimeException ignored) {
            // the run is already reported as failed; a log-phase failure adds nothing
        }
    }

    private void checkLive() {
        if (abandoned) {
            throw new CancellationException("the run was abandoned after its timeout");
        }
    }

    /** Which plugin holds the run, for the timeout message. */
    String describePending(Duration timeout) {
        String where = waitingIn;
        Phase phase = call.exchange().phase();
        boolean inPhase = where.equals("header_filter") || where.equals("before_proxy")
                || (where.equals("rewrite") && (phase == Phase.REWRITE || phase == Phase.ACCESS));
        String trace = steps().toString();
        if (inPhase) {
            List<String> planned = plan.phases().getOrDefault(phase, List.of()).stream()
                    .filter(Explanation.Step::filterMatches).map(Explanation.Step::plugin)
                    .filter(plugin -> traced.test(plugin, phase)).toList();
            long ran = steps().stream().filter(s -> s.phase() == phase).count();
            if (ran < planned.size()) {
                String plugin = planned.get((int) ran);
                String hint = clock.pendingTimers() == 0 ? "" : " The harness clock has " + clock.pendingTimers()
                        + " pending timer(s): if the plugin waits for one, advance harness.clock().";
                return "plugin [" + plugin + "] did not complete " + phase.apisixName() + " within "
                        + timeout.toMillis() + " ms: its " + (phase.mayShortCircuit() ? "Outcome.async" : "Completion")
                        + " stage is still pending. Trace so far: " + trace + "." + hint;
            }
        }
        return "the run did not finish within " + timeout.toMillis() + " ms; it was waiting in " + where
                + " (phase " + phase.apisixName() + "). Trace so far: " + trace + ".";
    }

    // ---- helpers ----

    private static Upstream.Node pickNode(@Nullable Upstream upstream) {
        if (upstream == null || upstream.nodes().isEmpty()) {
            return new Upstream.Node("127.0.0.1", 80, 1, 0);
        }
        return upstream.nodes().stream().filter(n -> n.weight() > 0).findFirst().orElse(upstream.nodes().get(0));
    }

    private String hostHeader(Upstream.Node node) {
        Upstream upstream = call.resolvedUpstream();
        String pass = upstream == null ? "pass" : upstream.passHost();
        if (pass.equals("node")) {
            return node.address();
        }
        if (pass.equals("rewrite") && upstream.upstreamHost() != null) {
            return upstream.upstreamHost();
        }
        String host = call.exchange().request().headers().get("host");
        return host == null ? "" : host;
    }

    static HttpRequest copy(HttpRequest request) {
        HttpRequest.Builder builder = HttpRequest.builder()
                .method(request.method())
                .scheme(request.scheme())
                .host(request.host())
                .uri(request.uri())
                .remoteAddress(request.remoteAddress())
                .body(request.body() == null ? null : request.body().clone());
        request.headers().forEach(builder::header);
        return builder.build();
    }

    static HttpResponse copy(HttpResponse response) {
        if (response == null) {
            throw new NullPointerException("the harness upstream returned null (expected: an HttpResponse)");
        }
        return HttpResponse.of(response.status(), copy(response.headers()),
                response.body() == null ? null : response.body().clone());
    }

    private static HttpHeaders copy(HttpHeaders headers) {
        return headers.copy();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
