package io.gatekit.engine.internal;

import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The request phases of a call in APISIX's order: rewrite, then with a consumer attached its
 * merged plugins' rewrite, then access; a request no route matched is answered 404 once the
 * global rules ran, one whose path cannot be normalized 400 before any. Static, over the call's
 * own fields, so a request costs no object here.
 */
final class RequestPhases {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");
    private static final Outcome PROCEED = Outcome.proceed();
    private static final byte[] NOT_FOUND = JsonText.errorBody("404 Route Not Found");

    private RequestPhases() {
    }

    /** See {@code Call#runRequestPhases}. */
    static Outcome run(DefaultCall call) {
        if (call.badPath != null) {
            return badRequest("path " + call.receivedPath + ": " + call.badPath);
        }
        Outcome rewrite = PhaseRunner.runPhase(call, Phase.REWRITE, 0);
        if (rewrite == PROCEED && call.consumer == null) {
            return accessOrNotFound(call);
        }
        return switch (rewrite.kind()) {
            case PROCEED -> consumerThenAccess(call);
            case RESPOND -> rewrite;
            case ASYNC -> Outcome.async(rewrite.stage().thenCompose(done -> afterRewrite(call, done)));
        };
    }

    private static CompletionStage<Outcome> afterRewrite(DefaultCall call, Outcome rewrite) {
        if (!rewrite.proceeds()) {
            return CompletableFuture.completedStage(rewrite);
        }
        return stage(consumerThenAccess(call));
    }

    private static CompletionStage<Outcome> stage(Outcome outcome) {
        return outcome.kind() == Outcome.Kind.ASYNC ? outcome.stage() : CompletableFuture.completedStage(outcome);
    }

    /**
     * After the rewrite phase, as APISIX's access phase goes on: with a consumer attached, its
     * plugins and its group's are laid over the route's, the rewrite of those the route did not
     * have runs, and access runs the merged chain.
     */
    private static Outcome consumerThenAccess(DefaultCall call) {
        ConsumerSet.Found found = call.consumer;
        if (found == null || !call.matched) {
            return accessOrNotFound(call);
        }
        CompiledRoute merged = call.snapshot.withConsumer(call.route, found);
        if (merged == null) {
            LOG.log(Level.ERROR, () -> "failed to fetch consumer group config by id: " + found.groupId());
            return Outcome.respond(HttpResponse.of(503, HttpHeaders.of(), new byte[0]));
        }
        call.route = merged;
        if (merged.consumerRewrite.length == 0) {
            return accessOrNotFound(call);
        }
        call.inConsumerRewrite = true;
        Outcome rewrite = PhaseRunner.runPhase(call, Phase.REWRITE, 0);
        if (rewrite.kind() == Outcome.Kind.ASYNC) {
            return Outcome.async(rewrite.stage().thenCompose(done -> {
                call.inConsumerRewrite = false;
                return done.proceeds() ? stage(accessOrNotFound(call)) : CompletableFuture.completedStage(done);
            }));
        }
        call.inConsumerRewrite = false;
        return rewrite.proceeds() ? accessOrNotFound(call) : rewrite;
    }

    private static Outcome accessOrNotFound(DefaultCall call) {
        Outcome outcome = PhaseRunner.runPhase(call, Phase.ACCESS, 0);
        if (call.matched || !outcome.proceeds()) {
            if (!call.matched && outcome.kind() == Outcome.Kind.ASYNC) {
                return Outcome.async(outcome.stage().thenApply(o -> o.proceeds() ? notFound() : o));
            }
            return outcome;
        }
        return notFound();
    }

    private static Outcome badRequest(String why) {
        return Outcome.respond(HttpResponse.of(400, HttpHeaders.of("content-type", "application/json"),
                JsonText.errorBody("400 Bad Request: " + why)));
    }


    private static Outcome notFound() {
        return Outcome.respond(HttpResponse.of(404, HttpHeaders.of("content-type", "application/json"),
                NOT_FOUND));
    }
}
