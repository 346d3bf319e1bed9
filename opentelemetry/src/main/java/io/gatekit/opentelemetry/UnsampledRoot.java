package io.gatekit.opentelemetry;

import io.gatekit.api.CallObserver;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * A call that starts a trace and was not sampled: no span, but each message sent on its behalf
 * carries a context with the sampled flag off, so the services behind keep the decision. Its ids
 * are made the first time a message leaves, and kept for the call's other messages, so they share
 * one trace id. One instance serves every such call: a call nothing leaves from costs nothing.
 */
final class UnsampledRoot implements CallObserver {

    static final UnsampledRoot INSTANCE = new UnsampledRoot();

    private UnsampledRoot() {
    }

    @Override
    public boolean followsPlugins() {
        return false;
    }

    @Override
    public Outbound upstreamStarted(Exchange exchange, int attempt, BiConsumer<String, String> headers) {
        inject(exchange, headers);
        return Outbound.IGNORED;
    }

    @Override
    public Outbound requestStarted(Exchange exchange, String plugin, OutboundRequest request,
            BiConsumer<String, String> headers) {
        inject(exchange, headers);
        return Outbound.IGNORED;
    }

    @Override
    public void contextHeaders(Exchange exchange, BiConsumer<String, String> headers) {
        inject(exchange, headers);
    }

    private static void inject(Exchange exchange, BiConsumer<String, String> headers) {
        SpanContext context = exchange.attr(GatekitTracing.UNSAMPLED);
        if (context == null) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long high;
            long low;
            do {
                high = random.nextLong();
                low = random.nextLong();
            } while (high == 0 && low == 0);
            long span;
            do {
                span = random.nextLong();
            } while (span == 0);
            context = SpanContext.create(TraceId.fromLongs(high, low), SpanId.fromLong(span), TraceFlags.getDefault(),
                    TraceState.getDefault());
            exchange.attr(GatekitTracing.UNSAMPLED, context);
        }
        // W3C trace context whatever the application's propagators: the flag is what matters here
        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()
                .inject(Context.root().with(Span.wrap(context)), headers, BiConsumer::accept);
    }
}
