package io.gatekit.engine.internal;

import io.gatekit.api.CallObserver;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;

/**
 * What a call tells its {@link CallObserver} (a tracer): that it started, each plugin's start and
 * end, each upstream attempt with the context headers it sends, and the call's end. An observer
 * that throws is logged and ignored; it never fails the request. Static, over the call's own
 * fields: a call nobody observes pays one null check per hook and no object.
 */
final class CallObservation {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");

    private CallObservation() {
    }

    /**
     * Attaches the call's observers, once routed and before any phase: the listener's, then those
     * of the route's plugins that follow whole calls (global rules first), in chain order.
     */
    static void start(DefaultCall call) {
        CallObserver found = null;
        try {
            found = call.env.listener().callStarted(call);
        } catch (Throwable e) {
            failed(call, "the listener's callStarted", e);
        }
        PluginEntry[] observing = call.route.observers;
        if (observing != null) {
            for (PluginEntry entry : observing) {
                if (!PhaseRunner.runs(call, entry)) {
                    continue;
                }
                try {
                    found = CallObserver.both(found, entry.plugin().observe(call));
                } catch (Throwable e) {
                    failed(call, "plugin [" + entry.name() + "]'s observe", e);
                }
            }
        }
        if (found != null) {
            call.observer = found;
            call.pluginObserver = found.followsPlugins() ? found : null;
        }
    }

    private static void failed(DefaultCall call, String what, Throwable error) {
        LOG.log(Level.WARNING, what + " failed on route [" + call.routeIdOrEmpty() + "]; ignored", error);
    }

    static @Nullable Runnable pluginStarted(DefaultCall call, PluginEntry entry, Phase current) {
        CallObserver o = call.pluginObserver;
        if (o == null) {
            return null;
        }
        try {
            return o.pluginStarted(call, entry.name(), current);
        } catch (Throwable e) {
            failed(call, "the observer's pluginStarted", e);
            return null;
        }
    }

    static void pluginReturned(DefaultCall call, @Nullable Runnable returned) {
        if (returned != null) {
            try {
                returned.run();
            } catch (Throwable e) {
                failed(call, "the observer's pluginStarted callback", e);
            }
        }
    }

    static void pluginEnded(DefaultCall call, PluginEntry entry, Phase current, @Nullable Throwable error) {
        CallObserver o = call.pluginObserver;
        if (o != null) {
            try {
                o.pluginEnded(call, entry.name(), current, error);
            } catch (Throwable e) {
                failed(call, "the observer's pluginEnded", e);
            }
        }
    }

    /**
     * The context headers of the current attempt; the attempt's observation starts the first time
     * they are asked for, so a host that makes the headers again for the same attempt (a fresh
     * connection in place of a stale pooled one) starts nothing new.
     */
    static ContextHeaders attemptContext(DefaultCall call, CallObserver o) {
        Attempt attempt = call.observedAttempt;
        if (attempt == null) {
            call.observedAttempt = attempt = new Attempt();
        } else if (attempt.context != null && attempt.number == call.attempts) {
            return attempt.context;
        }
        endAttempt(call, attempt, 0, null); // a host that never reported the previous attempt
        ContextHeaders context = new ContextHeaders();
        attempt.number = call.attempts;
        attempt.context = context;
        try {
            attempt.outbound = o.upstreamStarted(call, call.attempts, context);
        } catch (Throwable e) {
            failed(call, "the observer's upstreamStarted", e);
            attempt.outbound = CallObserver.Outbound.IGNORED;
        }
        return context;
    }

    private static void endAttempt(DefaultCall call, Attempt attempt, int status, @Nullable Throwable error) {
        CallObserver.Outbound open = attempt.outbound;
        if (open == null) {
            return;
        }
        attempt.outbound = null;
        try {
            open.ended(status, error);
        } catch (Throwable e) {
            failed(call, "the observer's upstream end", e);
        }
    }

    /** Ends the current attempt's observation, starting it first if the host never made its headers. */
    static void attemptEnded(DefaultCall call, int status, @Nullable Throwable error) {
        CallObserver o = call.observer;
        if (o == null) {
            return;
        }
        Attempt attempt = call.observedAttempt;
        if (attempt == null || attempt.number != call.attempts || attempt.context == null) {
            attemptContext(call, o);
        }
        endAttempt(call, call.observedAttempt, status, error);
    }

    /** The observer's context headers for a message a plugin sends on the call's behalf. */
    static void contextHeaders(DefaultCall call, BiConsumer<String, String> sink) {
        CallObserver o = call.observer;
        if (o != null) {
            try {
                o.contextHeaders(call, sink);
            } catch (Throwable e) {
                failed(call, "the observer's contextHeaders", e);
            }
        }
    }

    /** Ends an attempt still open (the client went away first) and tells the observer the call ended. */
    static void callCompleted(DefaultCall call, CallObserver o) {
        Attempt attempt = call.observedAttempt;
        if (attempt != null && attempt.outbound != null) {
            endAttempt(call, attempt, 0, new CancellationException("the call ended before the upstream answered"));
        }
        try {
            o.callCompleted(call);
        } catch (Throwable e) {
            failed(call, "the observer's callCompleted", e);
        }
    }

    /**
     * The upstream attempt an observer follows: its number, the context headers it sends and the
     * observer's handle on it. Made for an observed call's first attempt only, so a call nobody
     * follows carries none of it.
     */
    static final class Attempt {
        int number;
        @Nullable ContextHeaders context;
        CallObserver.@Nullable Outbound outbound;
    }
}
