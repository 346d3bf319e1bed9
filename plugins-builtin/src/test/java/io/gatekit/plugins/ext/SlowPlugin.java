package io.gatekit.plugins.ext;

import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;

/**
 * RunnerServer's twin of {@code GkSlowFilter} ({@code gk-slow}): takes as many milliseconds as its
 * conf value says before changing nothing, on the request and on the response.
 */
final class SlowPlugin implements RunnerPlugin {

    @Override
    public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) throws InterruptedException {
        Thread.sleep(Long.parseLong(context.config().trim())); // the runner is slow by design
        return ReqAction.none();
    }

    @Override
    public Reply onResponse(HttpRespCall response, RunnerCallContext context) throws InterruptedException {
        Thread.sleep(Long.parseLong(context.config().trim()));
        return Reply.empty();
    }
}
