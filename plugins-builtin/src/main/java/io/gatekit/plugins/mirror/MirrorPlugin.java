package io.gatekit.plugins.mirror;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.Exchange;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * A {@code proxy-mirror} instance. Copies leave at {@code before_proxy}: every rewrite and access
 * plugin has run, whatever its priority, so a copy is the request as the upstream gets it, and a
 * request rejected earlier is never mirrored. The host calls {@code before_proxy} once per
 * attempt, so a per-instance exchange attribute makes sure a retried request is mirrored once.
 *
 * <p>Two shapes, chosen at create time because the engine skips phases a class does not
 * implement: {@link Always} (every target at ratio 1) needs no {@code rewrite}; {@link Sampled}
 * draws in {@code rewrite}, which runs once per request, and records only a positive draw, so a
 * sampled-out request costs one draw and one attribute read, and allocates nothing.
 */
abstract class MirrorPlugin implements Plugin {

    /** The top-level target plus up to 16 more: one bit each in an {@code int} mask. */
    static final int MAX_TARGETS = 17;

    /** APISIX has no bound; this one keeps a stalled mirror from piling up copies without end. */
    static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    /** How often copies past their deadline are looked for. */
    static final long SWEEP_NANOS = 1_000_000_000L;

    /** Stored once this instance's copies left: a retried attempt must not send them again. */
    private static final Integer DISPATCHED = 0;

    /**
     * Per instance, not shared: a global rule's and a route's {@code proxy-mirror} may both mirror
     * one request, each on its own.
     */
    final AttributeKey<Integer> state = AttributeKey.of("proxy-mirror targets to send", Integer.class);
    final MirrorTarget[] targets;
    private final StatsTable stats;
    private final CopyRules rules;
    private final Timeouts timeouts;
    private final boolean verifyTls;
    private final HttpClient client;
    private final System.Logger log;
    private final String owner;
    /** Copies sent and not answered yet, for the deadline sweep. */
    private final Set<Outstanding> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());

    private MirrorPlugin(List<MirrorTarget> targets, CopyRules rules, Timeouts timeouts, boolean verifyTls,
            PluginContext context) {
        this.targets = targets.toArray(MirrorTarget[]::new);
        this.stats = new StatsTable(context.metrics(), targets, context.owner());
        this.rules = rules;
        this.timeouts = timeouts;
        this.verifyTls = verifyTls;
        this.client = context.httpClient();
        this.log = context.logger();
        this.owner = context.owner();
    }

    static MirrorPlugin create(MirrorConfig config, PluginContext context) {
        int maxInFlight = config.max_in_flight() == null ? DEFAULT_MAX_IN_FLIGHT : config.max_in_flight();
        List<MirrorTarget> targets = new ArrayList<>();
        targets.add(new MirrorTarget(config.host(), config.path(), config.path_concat_mode(), config.sample_ratio(),
                maxInFlight));
        if (config.targets() != null) {
            for (MirrorConfig.TargetConfig t : config.targets()) {
                targets.add(new MirrorTarget(t.host(), t.path(), t.path_concat_mode(), t.sample_ratio(),
                        maxInFlight));
            }
        }
        CopyRules rules = new CopyRules(config.headers(), config.body() == null || config.body(),
                config.max_body_size() == null ? Long.MAX_VALUE : config.max_body_size());
        Timeouts timeouts = Timeouts.resolve(config.timeout(), context.attributes(MirrorAttributes.class));
        boolean verifyTls = config.ssl_verify() == null || config.ssl_verify();
        warnUnsupported(targets, context);
        return targets.stream().allMatch(MirrorTarget::always)
                ? new Always(targets, rules, timeouts, verifyTls, context)
                : new Sampled(targets, rules, timeouts, verifyTls, context);
    }

    private static void warnUnsupported(List<MirrorTarget> targets, PluginContext context) {
        for (MirrorTarget target : targets) {
            if (target.unsupported()) {
                context.logger().log(Level.WARNING, () -> context.pluginName() + " of " + context.owner()
                        + ": host: " + target.label() + " (expected: http:// or https://; copies go over HTTP/1.1,"
                        + " which cannot carry gRPC, so this target's copies are counted as failed, not sent)");
            }
        }
    }

    /** The targets still to mirror this request to, one bit each; 0 for none. */
    abstract int pending(Exchange exchange);

    @Override
    public final Outcome beforeProxy(Exchange exchange) {
        int mask = pending(exchange);
        if (mask != 0) {
            exchange.attr(state, DISPATCHED);
            dispatch(exchange, mask);
        }
        return Outcome.proceed();
    }

    /** The body is only there to copy when buffered; without copies of it, let it stream. */
    @Override
    public final BodyBuffering bodyBuffering() {
        return rules.mirrorsBody() ? BodyBuffering.REQUEST : BodyBuffering.NONE;
    }

    /** A mirror is a side show: should this plugin ever throw, the request goes on unharmed. */
    @Override
    public final boolean failOpen() {
        return true;
    }

    /**
     * Admits the copies first and builds one only if some target takes it: an overloaded mirror
     * then costs the request two counter updates, not a copy thrown away.
     */
    private void dispatch(Exchange exchange, int mask) {
        sweep(System.nanoTime());
        MirrorStats[] series = stats.forRoute(exchange.routeId());
        int admitted = 0;
        for (int i = 0; i < targets.length; i++) {
            if ((mask & (1 << i)) != 0 && admit(targets[i], series[i])) {
                admitted |= 1 << i;
            }
        }
        if (admitted == 0) {
            return;
        }
        MirrorCopy copy;
        try {
            copy = rules.copy(exchange);
        } catch (RuntimeException e) {
            forEach(admitted, i -> finish(targets[i], series[i], System.nanoTime(), e, null));
            return;
        }
        forEach(admitted, i -> send(targets[i], series[i], copy, exchange));
    }

    private void forEach(int mask, IntConsumer action) {
        for (int i = 0; i < targets.length; i++) {
            if ((mask & (1 << i)) != 0) {
                action.accept(i);
            }
        }
    }

    /** Counts the copy as sampled and takes an in-flight slot for it, or counts why not. */
    private static boolean admit(MirrorTarget target, MirrorStats stats) {
        stats.sampled().increment();
        if (target.unsupported()) {
            stats.failed().increment();
            return false;
        }
        if (!target.tryAcquire()) {
            stats.dropped().increment();
            return false;
        }
        return true;
    }

    /**
     * Hands one admitted copy to the client and returns at once; the answer is only counted. It is
     * sent on behalf of {@code exchange}, so a tracer following the request gives the copy a span
     * and a traceparent of its own.
     */
    private void send(MirrorTarget target, MirrorStats stats, MirrorCopy copy, Exchange exchange) {
        if (copy.bodyOmitted()) {
            stats.bodyOmitted().increment();
        }
        long start = System.nanoTime();
        CompletionStage<OutboundResponse> sent;
        try {
            sent = client.send(request(target, copy), exchange);
        } catch (RuntimeException e) {
            finish(target, stats, start, e, null);
            return;
        }
        if (sent instanceof CompletableFuture<?> done && done.isDone()) {
            sent.whenComplete((response, error) -> finish(target, stats, start, error, null));
            return;
        }
        // Our own deadline as well as the client's timeouts: a client that never completes must
        // not hold an in-flight slot forever. Whichever comes first wins, once.
        Outstanding pending = new Outstanding(target, stats, start, start + timeouts.deadline().toNanos(), sent);
        outstanding.add(pending);
        sent.whenComplete((response, error) -> {
            if (pending.settle()) {
                finish(target, stats, start, error, null);
            }
        });
    }

    /**
     * Abandons the copies past their deadline, at most once per {@link #SWEEP_NANOS}, from the
     * request path: no timer per copy (a timer per copy on a shared scheduler thread cost a
     * wake-up of that thread for most copies), and no thread of its own. A copy is thus abandoned
     * within a sweep period of its deadline while copies keep coming, which is when its slot
     * matters; the set holds at most {@code max_in_flight} copies per target, as each holds a slot.
     */
    private void sweep(long now) {
        long next = nextSweep.get();
        if (now - next < 0 || !nextSweep.compareAndSet(next, now + SWEEP_NANOS)) {
            return;
        }
        for (Outstanding pending : outstanding) {
            if (now - pending.deadline >= 0 && pending.settle()) {
                finish(pending.target, pending.stats, pending.start, new TimeoutException("no answer within the"
                        + " deadline of " + timeouts.deadline().toMillis() + " ms"), pending.sent);
            }
        }
    }

    /** A copy the client has not answered yet; settled once, by its answer or by the sweep. */
    private final class Outstanding extends AtomicBoolean {
        final MirrorTarget target;
        final MirrorStats stats;
        final long start;
        final long deadline;
        final CompletionStage<OutboundResponse> sent;

        Outstanding(MirrorTarget target, MirrorStats stats, long start, long deadline,
                CompletionStage<OutboundResponse> sent) {
            this.target = target;
            this.stats = stats;
            this.start = start;
            this.deadline = deadline;
            this.sent = sent;
        }

        boolean settle() {
            if (!compareAndSet(false, true)) {
                return false;
            }
            outstanding.remove(this);
            return true;
        }
    }

    private OutboundRequest request(MirrorTarget target, MirrorCopy copy) {
        return OutboundRequest.builder(target.uri(copy))
                .method(copy.method())
                .headers(copy.headers())
                .body(copy.body())
                .connectTimeout(timeouts.connect())
                .sendTimeout(timeouts.send())
                .readTimeout(timeouts.read())
                .verifyTls(verifyTls)
                .discardResponseBody(true) // the answer is only counted
                .build();
    }

    private void finish(MirrorTarget target, MirrorStats stats, long start, @Nullable Throwable error,
            @Nullable CompletionStage<OutboundResponse> sent) {
        target.release();
        if (error == null) {
            stats.sent().increment();
            stats.latency().record(System.nanoTime() - start);
            return;
        }
        Throwable cause = unwrap(error);
        if (isTimeout(cause)) {
            stats.timedOut().increment();
            if (sent instanceof CompletableFuture<?> pendingSend) {
                pendingSend.cancel(true); // our deadline fired first: free the client's connection too
            }
            logFailure(target, "timed out", cause);
        } else {
            stats.failed().increment();
            logFailure(target, "failed", cause);
        }
    }

    private void logFailure(MirrorTarget target, String what, Throwable cause) {
        long suppressed = target.mayLog();
        if (suppressed >= 0) {
            log.log(Level.WARNING, () -> "proxy-mirror of " + owner + ": copy to " + target.label() + " " + what
                    + ": " + cause + (suppressed == 0 ? "" : " (" + suppressed
                    + " more copies failed or timed out since the last line)"));
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Whether {@code error} is a timeout, whichever client raised it: ours, the JDK's
     * {@code HttpTimeoutException}, a {@code SocketTimeoutException}, Netty's
     * {@code ReadTimeoutException}; the SPI names no common type.
     */
    static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().endsWith("TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** Every target at ratio 1: nothing to draw, so no {@code rewrite} phase at all. */
    static final class Always extends MirrorPlugin {
        private final int all;

        Always(List<MirrorTarget> targets, CopyRules rules, Timeouts timeouts, boolean verifyTls,
                PluginContext context) {
            super(targets, rules, timeouts, verifyTls, context);
            this.all = (1 << targets.size()) - 1;
        }

        @Override
        int pending(Exchange exchange) {
            return exchange.attr(state) == null ? all : 0;
        }
    }

    /**
     * Some target samples: the draws are made once per request, in {@code rewrite} (which, unlike
     * {@code before_proxy}, never repeats), as APISIX draws there too.
     */
    static final class Sampled extends MirrorPlugin {

        Sampled(List<MirrorTarget> targets, CopyRules rules, Timeouts timeouts, boolean verifyTls,
                PluginContext context) {
            super(targets, rules, timeouts, verifyTls, context);
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            int mask = 0;
            for (int i = 0; i < targets.length; i++) {
                if (targets[i].sampled()) {
                    mask |= 1 << i;
                }
            }
            if (mask != 0) {
                exchange.attr(state, mask);
            }
            return Outcome.proceed();
        }

        @Override
        int pending(Exchange exchange) {
            Integer mask = exchange.attr(state);
            return mask == null ? 0 : mask;
        }
    }
}
