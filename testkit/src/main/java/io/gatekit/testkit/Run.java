package io.gatekit.testkit;

import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import io.gatekit.engine.Call;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.UpstreamRequest;
import java.io.ByteArrayOutputStream;
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
 * Serves one {@link Call} the way every host does, through {@link Call#serve}, without sockets:
 * the engine runs the phases, picks the node and settles every outcome; the upstream is a function
 * behind an in-memory transport. Every step continues when the previous one completes, on whatever
 * thread completed it, so nothing here waits; {@link #result()} completes when the exchange is over.
 */
final class Run {

    private static final Set<Phase> REQUEST_PHASES = EnumSet.of(Phase.REWRITE, Phase.ACCESS, Phase.BEFORE_PROXY);
    private static final byte[] ENGINE_NOT_FOUND = JsonText.errorBody("404 Route Not Found");

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
    private volatile @Nullable Throwable harnessFailure;
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

    /**
     * Starts the exchange through {@link Call#serve}, the code every host runs, with the
     * in-memory upstream as its transport; {@code ended} runs once it is over, before
     * {@link #result()} completes.
     */
    void start(Runnable ended) {
        this.ended = ended;
        CompletionStage<Response> served;
        try {
            served = call.serve(Body.empty(), this::sendUpstream, null);
        } catch (RuntimeException e) {
            served = CompletableFuture.failedStage(e);
        }
        served.thenCompose(this::readBody).whenComplete(this::finish);
    }

    /** The in-memory upstream: it gets the request as a real upstream would, and its failures fail the run. */
    private CompletionStage<Response> sendUpstream(UpstreamRequest request) {
        checkLive();
        waitingIn = "the upstream";
        return new InMemoryTransport(() -> upstream, chunkSize, sent -> upstreamRequest = sent).send(request)
                .whenComplete((response, error) -> {
                    if (error != null) {
                        harnessFailure = unwrap(error);
                    }
                    waitingIn = "header_filter";
                });
    }

    /** Reads the response body the engine hands back, chunk by chunk, as body_filter produced it. */
    private CompletionStage<Served> readBody(Response response) {
        checkLive();
        waitingIn = "body_filter";
        return Streams.chunks(response.body()).thenApply(chunks -> new Served(response, chunks));
    }

    /** The response the engine handed back and its body's chunks. */
    private record Served(Response response, List<byte[]> chunks) {
    }

    private void finish(@Nullable Served served, @Nullable Throwable error) {
        waitingIn = "log";
        Throwable failure = harnessFailure != null ? harnessFailure : error;
        RunResult done = null;
        try {
            call.complete(); // already done when the body ended; this covers a run that failed before
            if (failure == null && served != null) {
                done = buildResult(served);
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

    private RunResult buildResult(Served served) {
        Response out = served.response();
        List<byte[]> chunks = served.chunks();
        HttpResponse response = HttpResponse.of(out.status(), out.headers().copy(), concat(chunks));
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

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
