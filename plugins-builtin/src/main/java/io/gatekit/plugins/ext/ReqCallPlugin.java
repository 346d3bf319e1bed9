package io.gatekit.plugins.ext;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.runner.HttpMethod;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerClient;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ext-plugin-pre-req} and {@code ext-plugin-post-req}: send the request to the runner
 * ({@code HTTPReqCall}) and apply its answer; the two differ only in their phase.
 */
abstract class ReqCallPlugin extends ExtPlugin {

    /** Per instance, so pre-req and post-req on one route keep their response headers apart. */
    private final AttributeKey<RespHeaders> respHeadersKey;

    ReqCallPlugin(ExtSetup setup) {
        super(setup);
        respHeadersKey = AttributeKey.of(setup.pluginName() + " resp_headers", RespHeaders.class);
    }

    /** Asks the runner about the request; never blocks, the outcome comes when the runner answered. */
    final Outcome callRunner(Exchange exchange) {
        ExtSetup setup = setup();
        RunnerClient client = setup.client();
        if (client == null) {
            return failed(Failure.NOT_CONFIGURED, null, false, 0);
        }
        Optional<HttpMethod> method = HttpMethod.of(exchange.request().method());
        if (method.isEmpty()) {
            return failed(Failure.ERROR, new IllegalArgumentException("method " + exchange.request().method()
                    + " has no code in the runner protocol"), false, 0);
        }
        HttpReqCall call = ReqCalls.describe(exchange, method.get(), nextId(), TraceHeaders.of(exchange));
        ExchangeAnswers answers = new ExchangeAnswers(this, exchange, false);
        long sentAt = System.nanoTime();
        CompletableFuture<ReqAction> pending = withDeadline(client.httpReqCallAsync(setup.conf(), call, answers));
        return Outcome.async(pending.handle((action, error) -> {
            answers.settle();
            if (error != null) {
                return failed(Failure.of(error), error, true, sentAt);
            }
            Outcome outcome;
            try {
                outcome = ReqCalls.apply(action, exchange, respHeadersKey);
            } catch (RuntimeException badAnswer) {
                return failed(Failure.ERROR, badAnswer, true, sentAt);
            }
            setup.metrics().succeeded(sentAt);
            return outcome;
        }));
    }

    private Outcome failed(Failure failure, @Nullable Throwable error, boolean sent, long sentAt) {
        recordFailure(failure, error, sent, sentAt, false);
        return setup().allowDegradation() ? Outcome.proceed() : Outcome.respond(failure.response(false));
    }

    /** Adds the runner's {@code resp_headers}, if it sent any, to the response the client gets. */
    @Override
    public final Completion headerFilter(Exchange exchange) {
        RespHeaders pending = exchange.attr(respHeadersKey);
        HttpResponse response = exchange.response();
        if (pending != null && response != null) {
            pending.applyTo(response.headers());
        }
        return Completion.done();
    }

    @Override
    public final BodyBuffering bodyBuffering() {
        return setup().readRequestBody() ? BodyBuffering.REQUEST : BodyBuffering.NONE;
    }
}
