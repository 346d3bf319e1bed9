package io.gatekit.engine.internal.upstream;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.engine.host.UpstreamFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The active checks of one {@link UpstreamHealth}, as lua-resty-healthcheck runs them: every
 * {@code healthy.interval} seconds the healthy targets are probed, every
 * {@code unhealthy.interval} seconds the unhealthy ones; at most {@code concurrency} probes at
 * once, none of a target while its last one is still out. An http(s) probe is a request through
 * the engine's outbound client; a tcp probe a plain connect. Probes run on the checkers' timer
 * thread and the client's threads, never on a request's.
 */
final class ActiveProber {

    /** Starts probers on the engine's health-check thread with its outbound client. */
    record Factory(ScheduledExecutorService timer, HttpClient client) {
        ActiveProber start(UpstreamHealth health) {
            ActiveProber prober = new ActiveProber(health, timer, client);
            prober.schedule();
            return prober;
        }
    }

    private final UpstreamHealth health;
    private final HealthChecks.Active active;
    private final ScheduledExecutorService timer;
    private final HttpClient client;
    private final Set<TargetHealth> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private ScheduledFuture<?> healthyRounds;
    private ScheduledFuture<?> unhealthyRounds;

    private ActiveProber(UpstreamHealth health, ScheduledExecutorService timer, HttpClient client) {
        this.health = health;
        this.active = health.checks().active();
        this.timer = timer;
        this.client = client;
    }

    private void schedule() {
        healthyRounds = timer.scheduleWithFixedDelay(() -> round(true), active.healthyInterval(),
                active.healthyInterval(), TimeUnit.SECONDS);
        unhealthyRounds = timer.scheduleWithFixedDelay(() -> round(false), active.unhealthyInterval(),
                active.unhealthyInterval(), TimeUnit.SECONDS);
    }

    void stop() {
        stopped = true;
        healthyRounds.cancel(false);
        unhealthyRounds.cancel(false);
    }

    /** Probes the targets in the state {@code healthy}, {@code concurrency} at a time. */
    private void round(boolean healthy) {
        ArrayDeque<TargetHealth> due = new ArrayDeque<>();
        for (TargetHealth target : health.targets()) {
            if (target.healthy() == healthy && inFlight.add(target)) {
                due.add(target);
            }
        }
        int lanes = Math.min(active.concurrency(), due.size());
        for (int i = 0; i < lanes; i++) {
            next(due);
        }
    }

    private void next(ArrayDeque<TargetHealth> due) {
        TargetHealth target;
        synchronized (due) {
            target = due.poll();
        }
        if (target == null) {
            return;
        }
        if (stopped) {
            inFlight.remove(target);
            next(due);
            return;
        }
        CompletionStage<TargetHealth.Report> probe;
        try {
            probe = "tcp".equals(active.type()) ? connect(target) : request(target);
        } catch (RuntimeException e) {
            probe = CompletableFuture.completedFuture(TargetHealth.Report.TCP_FAILURE);
        }
        long limit = (long) (active.timeoutSeconds() * 1000) + 1000; // the client's own timeouts come first
        probe.toCompletableFuture().orTimeout(limit, TimeUnit.MILLISECONDS).whenComplete((report, error) -> {
            inFlight.remove(target);
            if (!stopped) {
                TargetHealth.Report result = error == null ? report : failure(error);
                if (result != null) {
                    health.probed(target, result);
                }
            }
            next(due);
        });
    }

    private CompletionStage<TargetHealth.Report> request(TargetHealth target) {
        String scheme = "https".equals(active.type()) ? "https" : "http";
        String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
        Duration timeout = Duration.ofMillis(Math.max(1, (long) (active.timeoutSeconds() * 1000)));
        OutboundRequest.Builder request = OutboundRequest.builder(scheme + "://" + host + ":" + target.port()
                        + active.httpPath())
                .connectTimeout(timeout).sendTimeout(timeout).readTimeout(timeout)
                .verifyTls(active.verifyCertificate());
        if (active.host() != null) {
            request.header("Host", active.host());
        }
        for (String header : active.reqHeaders()) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
            }
        }
        return client.send(request.build()).thenApply(response -> {
            if (active.healthyStatuses().contains(response.status())) {
                return TargetHealth.Report.SUCCESS;
            }
            return active.unhealthyStatuses().contains(response.status()) ? TargetHealth.Report.HTTP_FAILURE : null;
        });
    }

    private CompletionStage<TargetHealth.Report> connect(TargetHealth target) {
        CompletableFuture<TargetHealth.Report> done = new CompletableFuture<>();
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (done.completeExceptionally(new TimeoutException("connect timed out"))) {
                close(channel);
            }
        }, Math.max(1, (long) (active.timeoutSeconds() * 1000)), TimeUnit.MILLISECONDS);
        channel.connect(new InetSocketAddress(target.host(), target.port()), null,
                new CompletionHandler<Void, Void>() {
                    @Override
                    public void completed(Void result, Void attachment) {
                        deadline.cancel(false);
                        done.complete(TargetHealth.Report.SUCCESS);
                        close(channel);
                    }

                    @Override
                    public void failed(Throwable error, Void attachment) {
                        deadline.cancel(false);
                        done.completeExceptionally(error);
                        close(channel);
                    }
                });
        return done;
    }

    /** A failed probe: a timeout, else a TCP failure (refused, reset, TLS failure). */
    private static TargetHealth.Report failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return TargetHealth.Report.TIMEOUT;
        }
        return UpstreamFailure.of(cause).timeout() ? TargetHealth.Report.TIMEOUT : TargetHealth.Report.TCP_FAILURE;
    }

    private static void close(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the probe's result is already known
        }
    }

    @Override
    public String toString() {
        return "ActiveProber" + List.of(health.key());
    }
}
