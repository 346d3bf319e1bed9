package io.gatekit.engine.internal.host;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * What the engine keeps for its hosts, one per engine: the upstream policy, the limit for bodies
 * read whole, and the timer thread behind {@link io.gatekit.engine.Engine#serve}'s deadlines (started
 * with the first serve, stopped with the engine).
 */
public final class HostSupport {

    private final UpstreamPolicy policy;
    private final long bodyBufferLimit;
    private final Object lock = new Object();
    private @Nullable ScheduledThreadPoolExecutor timers;
    private boolean closed;

    public HostSupport(UpstreamPolicy policy, long bodyBufferLimit) {
        this.policy = policy;
        this.bodyBufferLimit = bodyBufferLimit;
    }

    public UpstreamPolicy policy() {
        return policy;
    }

    /** Drives {@code call} through every remaining step; see {@link CallDriver}. */
    public CompletionStage<Response> serve(Call call, Body body, Transport transport,
            @Nullable Application application) {
        return new CallDriver(call, body, transport, application, bodyBufferLimit, timers()).run();
    }

    private ScheduledExecutorService timers() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            if (timers == null) {
                timers = new ScheduledThreadPoolExecutor(1, task -> {
                    Thread thread = new Thread(task, "gatekit-upstream-deadlines");
                    thread.setDaemon(true);
                    return thread;
                });
                timers.setRemoveOnCancelPolicy(true);
            }
            return timers;
        }
    }

    /** Stops the timer thread; pending deadlines no longer fire. */
    public void close() {
        synchronized (lock) {
            closed = true;
            if (timers != null) {
                timers.shutdownNow();
            }
        }
    }
}
