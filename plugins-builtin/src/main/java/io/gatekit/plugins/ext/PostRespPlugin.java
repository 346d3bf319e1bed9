package io.gatekit.plugins.ext;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerClient;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ext-plugin-post-resp}: the runner sees the upstream's response ({@code HTTPRespCall}) and
 * may change its status, headers and body.
 *
 * <p>Unlike APISIX, the plugin does not call the upstream itself: the host does, as for any route
 * (timeouts, retries, pass_host, X-Forwarded-*, keep-alive, mirrors), buffers the body because the
 * plugin asks for it, and the plugin runs in {@code header_filter}. A response that did not come
 * from the upstream (the host's own 502 or 504, a plugin's short-circuit) is not shown to the
 * runner, as APISIX answers those before the runner would be asked.
 */
final class PostRespPlugin extends ExtPlugin {

    PostRespPlugin(ExtSetup setup) {
        super(setup);
    }

    @Override
    public Completion headerFilter(Exchange exchange) {
        HttpResponse response = exchange.response();
        int upstreamStatus = exchange.upstream().status();
        if (response == null || upstreamStatus == 0) {
            return Completion.done();
        }
        ExtSetup setup = setup();
        RunnerClient client = setup.client();
        if (client == null) {
            failed(response, Failure.NOT_CONFIGURED, null, false, 0);
            return Completion.done();
        }
        HttpRespCall call = RespCalls.describe(upstreamStatus, response.headers(), nextId(), TraceHeaders.of(exchange));
        ExchangeAnswers answers = new ExchangeAnswers(this, exchange, true);
        boolean head = "HEAD".equals(exchange.request().method());
        long sentAt = System.nanoTime();
        CompletableFuture<Reply> pending = withDeadline(client.httpRespCallAsync(setup.conf(), call, answers));
        return Completion.after(pending.handle((result, error) -> {
            answers.settle();
            if (error != null) {
                failed(response, Failure.of(error), error, true, sentAt);
                return null;
            }
            try {
                RespCalls.apply(result, response, setup.headerMode(), head);
            } catch (RuntimeException badAnswer) {
                failed(response, Failure.ERROR, badAnswer, true, sentAt);
                return null;
            }
            setup.metrics().succeeded(sentAt);
            return null;
        }));
    }

    /** Fail-closed: the error replaces the response. Degraded: the upstream response goes on as it is. */
    private void failed(HttpResponse response, Failure failure, @Nullable Throwable error, boolean sent,
            long sentAt) {
        recordFailure(failure, error, sent, sentAt, true);
        if (setup().allowDegradation()) {
            return;
        }
        response.status(failure.status(true));
        response.headers().clear();
        response.headers().set("content-type", "application/json");
        response.body(failure.body(true));
    }

    @Override
    public BodyBuffering bodyBuffering() {
        return setup().readRequestBody() ? BodyBuffering.BOTH : BodyBuffering.RESPONSE;
    }
}
