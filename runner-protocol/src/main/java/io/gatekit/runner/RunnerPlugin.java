package io.gatekit.runner;

/**
 * A plugin inside a runner built on {@link RunnerServer}, registered under the name APISIX puts in
 * {@code conf[].name}. One instance serves all calls, possibly at once on several connections.
 *
 * <p>The plugins named in a conf run in its order. For a request, the first {@link Reply}
 * ends the chain and is the answer; {@link ReqAction.Rewrite}s add up (a later path or body wins).
 * For a response, results add up the same way.
 */
public interface RunnerPlugin {

    /** Handles an {@code HTTPReqCall}; the default does nothing. */
    default ReqAction onRequest(HttpReqCall request, RunnerCallContext context) throws Exception {
        return ReqAction.none();
    }

    /** Handles an {@code HTTPRespCall}; the default changes nothing. */
    default Reply onResponse(HttpRespCall response, RunnerCallContext context) throws Exception {
        return Reply.empty();
    }
}
