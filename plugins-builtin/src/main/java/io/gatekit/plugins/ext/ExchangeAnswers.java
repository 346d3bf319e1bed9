package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.ExtraInfoHandler;
import java.nio.charset.StandardCharsets;

/**
 * Answers a runner's questions during one call from the exchange, as APISIX answers them from
 * {@code ngx.var} and the bodies: a variable through {@link Exchange#var}, the request body as the
 * host buffered it, the upstream body (only during an {@code HTTPRespCall}) up to the limit.
 *
 * <p>Runs on the runner client's thread while the request waits for the call, so it only reads the
 * exchange. Once the call is over (answered, failed or timed out) the request goes on and owns the
 * exchange again: late questions are refused instead of read.
 */
final class ExchangeAnswers implements ExtraInfoHandler {

    private static final byte[] EMPTY = new byte[0];

    private final ExtPlugin plugin;
    private final Exchange exchange;
    private final boolean responseCall;
    private volatile boolean settled;

    ExchangeAnswers(ExtPlugin plugin, Exchange exchange, boolean responseCall) {
        this.plugin = plugin;
        this.exchange = exchange;
        this.responseCall = responseCall;
    }

    /** The call is over: the exchange belongs to the request again. */
    void settle() {
        settled = true;
    }

    @Override
    public byte @Nullable [] answer(ExtraInfo question) throws Exception {
        if (settled) {
            throw new IllegalStateException("the call is over (timed out), " + question + " is not answered");
        }
        if (question instanceof ExtraInfo.Var var) {
            String value = exchange.var(var.name());
            return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        }
        if (question instanceof ExtraInfo.ReqBody) {
            return plugin.requestBody(exchange);
        }
        if (!responseCall) {
            // As APISIX: there is no response yet; the runner gets no value.
            plugin.logNoResponseBody();
            return null;
        }
        HttpResponse response = exchange.response();
        byte[] body = response == null || response.body() == null ? EMPTY : response.body();
        long limit = plugin.setup().respBodyLimit();
        if (body.length > limit) {
            throw new BodyTooLargeException("upstream response body", body.length, limit);
        }
        return body;
    }
}
