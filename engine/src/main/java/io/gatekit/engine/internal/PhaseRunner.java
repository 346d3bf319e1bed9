package io.gatekit.engine.internal;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Walks a call's plugin chains: the request phases, header_filter, body_filter and log, with the
 * plugin filters, failure handling, timing and observer hooks around each plugin. Chains are
 * walked by index over the route's precomputed arrays, and the common case (no filter, no timing,
 * no observer) takes a tight loop per phase; nothing is allocated per plugin on the synchronous
 * path. Static, over the call's own fields, so a request costs no object here.
 */
final class PhaseRunner {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");
    private static final Outcome PROCEED = Outcome.proceed();
    private static final Completion DONE = Completion.done();
    private static final byte[] INTERNAL_ERROR = JsonText.errorBody("500 Internal Server Error");

    private PhaseRunner() {
    }

    /** Runs {@code phase} from plugin {@code from}; an async plugin resumes the walk when it completes. */
    static Outcome runPhase(DefaultCall call, Phase current, int from) {
        call.phase = current;
        if (from == 0 && !call.env.timed() && call.pluginObserver == null && !call.inConsumerRewrite) {
            CompiledRoute route = call.route;
            Plugin[] plugins = switch (current) {
                case REWRITE -> route.rewrite;
                case ACCESS -> route.access;
                default -> route.beforeProxy;
            };
            if (plugins != null) {
                return runPlain(call, current, plugins);
            }
        }
        PluginEntry[] chain = chainOf(call, current);
        for (int i = from; i < chain.length; i++) {
            PluginEntry entry = chain[i];
            if (!runs(call, entry)) {
                continue;
            }
            Outcome outcome = invoke(call, entry, current);
            switch (outcome.kind()) {
                case PROCEED:
                    continue;
                case RESPOND:
                    return shortCircuit(entry, outcome);
                default:
                    return resumeLater(call, entry, current, i, outcome.stage());
            }
        }
        return Outcome.proceed();
    }

    /** The chain of {@code current}: the consumer's rewrite while it runs, else the route's. */
    private static PluginEntry[] chainOf(DefaultCall call, Phase current) {
        return call.inConsumerRewrite && current == Phase.REWRITE ? call.route.consumerRewrite
                : call.route.chain(current);
    }

    /**
     * The common case, kept tight: no filter on this phase and no listener timing it, so the
     * loop only calls each plugin and compares its outcome with the shared proceed instance,
     * one loop per phase so each has a single call site. Anything else, from the first plugin
     * that does not simply proceed, goes through {@link #settle}.
     */
    private static Outcome runPlain(DefaultCall call, Phase current, Plugin[] plugins) {
        int i = 0;
        Outcome outcome = PROCEED;
        try {
            switch (current) {
                case REWRITE:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].rewrite(call);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
                case ACCESS:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].access(call);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
                default:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].beforeProxy(call);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
            }
        } catch (Throwable e) {
            PluginEntry entry = chainOf(call, current)[i];
            Outcome failure = failed(call, entry, e);
            return failure.proceeds() ? runPhase(call, current, i + 1) : shortCircuit(entry, failure);
        }
        return outcome == PROCEED ? PROCEED : settle(call, current, i, outcome);
    }

    /** What plugin {@code index} of the plain path returned, when it was not the shared proceed. */
    private static Outcome settle(DefaultCall call, Phase current, int index, @Nullable Outcome outcome) {
        PluginEntry entry = chainOf(call, current)[index];
        if (outcome == null) {
            Outcome failure = failed(call, entry, new NullPointerException("plugin [" + entry.name()
                    + "] returned null from " + current.apisixName() + " (expected: an Outcome)"));
            return failure.proceeds() ? runPhase(call, current, index + 1) : shortCircuit(entry, failure);
        }
        return switch (outcome.kind()) {
            case PROCEED -> runPhase(call, current, index + 1);
            case RESPOND -> shortCircuit(entry, outcome);
            case ASYNC -> resumeLater(call, entry, current, index, outcome.stage());
        };
    }

    private static Outcome invoke(DefaultCall call, PluginEntry entry, Phase current) {
        boolean timed = call.env.timed();
        long start = timed ? System.nanoTime() : 0;
        Runnable returned = CallObservation.pluginStarted(call, entry, current);
        Outcome outcome;
        Throwable thrown = null;
        try {
            outcome = invoke(call, entry.plugin(), current);
            if (outcome == null) {
                throw new NullPointerException("plugin [" + entry.name() + "] returned null from "
                        + current.apisixName() + " (expected: an Outcome)");
            }
        } catch (Throwable e) {
            thrown = e;
            outcome = failed(call, entry, e);
        }
        CallObservation.pluginReturned(call, returned);
        if (outcome.kind() != Outcome.Kind.ASYNC) {
            if (timed) {
                call.env.listener().pluginPhase(entry.name(), current, call.routeIdOrEmpty(), System.nanoTime() - start);
            }
            CallObservation.pluginEnded(call, entry, current, thrown);
        }
        return outcome;
    }

    private static Outcome invoke(DefaultCall call, Plugin plugin, Phase current) {
        return switch (current) {
            case REWRITE -> plugin.rewrite(call);
            case ACCESS -> plugin.access(call);
            case BEFORE_PROXY -> plugin.beforeProxy(call);
            default -> throw new IllegalStateException("phase: " + current + " (expected: a request phase)");
        };
    }

    private static Outcome resumeLater(DefaultCall call, PluginEntry entry, Phase current, int index,
            CompletionStage<Outcome> stage) {
        long start = call.env.timed() ? System.nanoTime() : 0;
        CompletionStage<Outcome> next = stage.handle((outcome, error) -> {
            if (call.env.timed()) {
                call.env.listener().pluginPhase(entry.name(), current, call.routeIdOrEmpty(), System.nanoTime() - start);
            }
            if (error != null || outcome == null) {
                Throwable cause = error != null ? unwrap(error) : new NullPointerException("plugin ["
                        + entry.name() + "] completed its stage with null (expected: an Outcome)");
                CallObservation.pluginEnded(call, entry, current, cause);
                Outcome failure = failed(call, entry, cause);
                return failure.proceeds() ? runPhase(call, current, index + 1) : failure;
            }
            if (outcome.kind() != Outcome.Kind.ASYNC) {
                CallObservation.pluginEnded(call, entry, current, null);
            }
            return switch (outcome.kind()) {
                case PROCEED -> runPhase(call, current, index + 1);
                case RESPOND -> shortCircuit(entry, outcome);
                case ASYNC -> resumeLater(call, entry, current, index, outcome.stage());
            };
        }).thenCompose(o -> o.kind() == Outcome.Kind.ASYNC ? o.stage() : CompletableFuture.completedStage(o));
        return Outcome.async(next);
    }

    private static Outcome shortCircuit(PluginEntry entry, Outcome outcome) {
        HttpResponse reply = outcome.response();
        if (reply.status() >= 400) {
            LOG.log(Level.WARNING, () -> entry.name() + " exits with http status code " + reply.status());
            byte[] replacement = entry.errorResponse();
            if (replacement != null) {
                reply.body(replacement);
                reply.headers().set("content-type", entry.errorResponseIsJson() ? "application/json" : "text/plain");
            }
        }
        return outcome;
    }

    static Completion runHeaderFilter(DefaultCall call, int from) {
        call.phase = Phase.HEADER_FILTER;
        PluginEntry[] chain = call.route.chain(Phase.HEADER_FILTER);
        Plugin[] plugins = call.route.headerFilter;
        if (from == 0 && !call.env.timed() && plugins != null && call.pluginObserver == null) {
            // the plain path, as runPlain: plugins that answer done at once cost one call each
            int i = 0;
            Completion completion = DONE;
            try {
                for (; i < plugins.length; i++) {
                    completion = plugins[i].headerFilter(call);
                    if (completion != DONE) {
                        break;
                    }
                }
            } catch (Throwable e) {
                failResponse(call, chain[i], e);
                return runHeaderFilter(call, i + 1);
            }
            if (completion == DONE) {
                return DONE;
            }
            Completion rest = afterHeaderFilter(call, chain[i], i, completion, 0);
            return rest != null ? rest : runHeaderFilter(call, i + 1);
        }
        for (int i = from; i < chain.length; i++) {
            PluginEntry entry = chain[i];
            if (!runs(call, entry)) {
                continue;
            }
            long start = call.env.timed() ? System.nanoTime() : 0;
            Runnable returned = CallObservation.pluginStarted(call, entry, Phase.HEADER_FILTER);
            Completion completion;
            try {
                completion = entry.plugin().headerFilter(call);
            } catch (Throwable e) {
                CallObservation.pluginReturned(call, returned);
                failResponse(call, entry, e);
                CallObservation.pluginEnded(call, entry, Phase.HEADER_FILTER, e);
                continue;
            }
            CallObservation.pluginReturned(call, returned);
            Completion rest = afterHeaderFilter(call, entry, i, completion, start);
            if (rest != null) {
                return rest;
            }
        }
        return DONE;
    }

    /**
     * Handles what plugin {@code index} returned from header_filter: {@code null} to go on with
     * the next plugin, or the completion of the rest of the phase when this one is not done yet.
     */
    private static @Nullable Completion afterHeaderFilter(DefaultCall call, PluginEntry entry, int index,
            @Nullable Completion completion, long start) {
        if (completion == null) {
            NullPointerException npe = new NullPointerException("plugin [" + entry.name()
                    + "] returned null from header_filter (expected: a Completion)");
            failResponse(call, entry, npe);
            CallObservation.pluginEnded(call, entry, Phase.HEADER_FILTER, npe);
            return null;
        }
        if (!completion.isDone()) {
            return Completion.after(completion.stage().handle((ignored, error) -> {
                if (call.env.timed()) {
                    call.env.listener().pluginPhase(entry.name(), Phase.HEADER_FILTER, call.routeIdOrEmpty(),
                            System.nanoTime() - start);
                }
                if (error != null) {
                    failResponse(call, entry, unwrap(error));
                }
                CallObservation.pluginEnded(call, entry, Phase.HEADER_FILTER, error == null ? null : unwrap(error));
                Completion rest = runHeaderFilter(call, index + 1);
                return rest.isDone() ? CompletableFuture.completedStage(null) : rest.stage();
            }).thenCompose(s -> s));
        }
        if (call.env.timed()) {
            call.env.listener().pluginPhase(entry.name(), Phase.HEADER_FILTER, call.routeIdOrEmpty(),
                    System.nanoTime() - start);
        }
        CallObservation.pluginEnded(call, entry, Phase.HEADER_FILTER, null);
        return null;
    }

    static ByteBuffer bodyFilter(DefaultCall call, ByteBuffer chunk, boolean last) {
        call.phase = Phase.BODY_FILTER;
        PluginEntry[] chain = call.route.chain(Phase.BODY_FILTER);
        for (PluginEntry entry : chain) {
            if (!runs(call, entry)) {
                continue;
            }
            long start = call.env.timed() ? System.nanoTime() : 0;
            Runnable returned = CallObservation.pluginStarted(call, entry, Phase.BODY_FILTER);
            Throwable thrown = null;
            try {
                ByteBuffer out = entry.plugin().bodyFilter(call, chunk, last);
                chunk = out != null ? out : chunk;
            } catch (Throwable e) {
                thrown = e;
                failed(call, entry, e);
            }
            CallObservation.pluginReturned(call, returned);
            if (call.env.timed()) {
                call.env.listener().pluginPhase(entry.name(), Phase.BODY_FILTER, call.routeIdOrEmpty(),
                        System.nanoTime() - start);
            }
            CallObservation.pluginEnded(call, entry, Phase.BODY_FILTER, thrown);
        }
        return chunk;
    }

    /** Runs the log phase; the caller releases the snapshot and ends the observation after. */
    static void runLog(DefaultCall call) {
        call.phase = Phase.LOG;
        CompiledRoute route = call.route;
        Plugin[] plugins = route.log;
        if (!call.env.timed() && plugins != null && call.pluginObserver == null) {
            for (int i = 0; i < plugins.length; i++) {
                try {
                    plugins[i].log(call);
                } catch (Throwable e) {
                    failed(call, route.chain(Phase.LOG)[i], e);
                }
            }
            return;
        }
        for (PluginEntry entry : route.chain(Phase.LOG)) {
            if (!runs(call, entry)) {
                continue;
            }
            long start = call.env.timed() ? System.nanoTime() : 0;
            Runnable returned = CallObservation.pluginStarted(call, entry, Phase.LOG);
            Throwable thrown = null;
            try {
                entry.plugin().log(call);
            } catch (Throwable e) {
                thrown = e;
                failed(call, entry, e);
            }
            CallObservation.pluginReturned(call, returned);
            if (call.env.timed()) {
                call.env.listener().pluginPhase(entry.name(), Phase.LOG, call.routeIdOrEmpty(), System.nanoTime() - start);
            }
            CallObservation.pluginEnded(call, entry, Phase.LOG, thrown);
        }
    }

    /** A response-phase failure: the response becomes a 500 unless the plugin is fail-open. */
    private static void failResponse(DefaultCall call, PluginEntry entry, Throwable error) {
        Outcome outcome = failed(call, entry, error);
        HttpResponse response = call.response;
        if (!outcome.proceeds() && response != null) {
            response.status(500);
            response.headers().clear();
            response.headers().set("content-type", "application/json");
            response.body(INTERNAL_ERROR);
        }
    }

    /** Records a plugin failure; returns proceed for fail-open plugins, else a 500. */
    private static Outcome failed(DefaultCall call, PluginEntry entry, Throwable error) {
        boolean failOpen = entry.plugin().failOpen();
        Phase phase = call.phase;
        String routeId = call.routeIdOrEmpty();
        LOG.log(Level.ERROR, "plugin [" + entry.name() + "] failed in " + phase.apisixName() + " on route ["
                + routeId + "]" + (failOpen ? "; continuing (fail-open)" : "; answering 500"), error);
        call.env.listener().pluginFailed(entry.name(), phase, routeId, error);
        if (failOpen) {
            return Outcome.proceed();
        }
        return Outcome.respond(HttpResponse.of(500, HttpHeaders.of("content-type", "application/json"),
                INTERNAL_ERROR));
    }

    /** Whether {@code entry}'s filter lets it run for this request now. */
    static boolean runs(DefaultCall call, PluginEntry entry) {
        if (entry.filter() == null) {
            return true;
        }
        try {
            return entry.filter().test(call);
        } catch (RuntimeException e) {
            return true; // as APISIX: a filter that cannot be evaluated lets the plugin run
        }
    }

    private static Throwable unwrap(Throwable error) {
        return (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
    }
}
