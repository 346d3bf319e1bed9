package io.gatekit.engine.internal;

import io.gatekit.api.CallObserver;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The client a plugin gets: the host's, but a request sent on behalf of an observed call first
 * goes past the call's observer, which adds its context headers (a {@code traceparent} whose
 * parent is the call's span) and hears how the request ended. Requests of unobserved calls, and
 * plain {@link #send(OutboundRequest)}, go straight to the host's client.
 */
final class ObservedHttpClient implements HttpClient {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");

    private final HttpClient delegate;
    private final String plugin;

    ObservedHttpClient(HttpClient delegate, String plugin) {
        this.delegate = delegate;
        this.plugin = plugin;
    }

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        return delegate.send(request);
    }

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request, Exchange exchange) {
        CallObserver observer = exchange instanceof DefaultCall call ? call.observer() : null;
        if (observer == null) {
            return delegate.send(request);
        }
        HttpHeaders context = HttpHeaders.of();
        CallObserver.Outbound outbound;
        try {
            outbound = observer.requestStarted(exchange, plugin, request, context::add);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "the observer's requestStarted failed for plugin [" + plugin + "]; ignored", e);
            return delegate.send(request);
        }
        OutboundRequest sent = context.isEmpty() ? request : withContext(request, context);
        CompletionStage<OutboundResponse> stage;
        try {
            stage = delegate.send(sent);
        } catch (RuntimeException e) {
            ended(outbound, 0, e);
            throw e;
        }
        // a side branch: the caller keeps the client's own stage, to cancel it if it must
        stage.whenComplete((response, error) -> ended(outbound, response == null ? 0 : response.status(),
                error == null ? null : unwrap(error)));
        return stage;
    }

    private void ended(CallObserver.Outbound outbound, int status, Throwable error) {
        try {
            outbound.ended(status, error);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "the observer's request end failed for plugin [" + plugin + "]; ignored", e);
        }
    }

    /** {@code request} with the context headers in place of any of the same names it had. */
    private static OutboundRequest withContext(OutboundRequest request, HttpHeaders context) {
        HttpHeaders headers = HttpHeaders.of();
        request.headers().forEach((name, value) -> {
            if (!context.contains(name)) {
                headers.add(name, value);
            }
        });
        context.forEach(headers::add);
        return OutboundRequest.builder(request.uri())
                .method(request.method())
                .headers(headers)
                .body(request.body())
                .connectTimeout(request.connectTimeout())
                .sendTimeout(request.sendTimeout())
                .readTimeout(request.readTimeout())
                .verifyTls(request.verifyTls())
                .discardResponseBody(request.discardResponseBody())
                .build();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
