package io.gatekit.api;

import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import java.util.function.BiConsumer;

/** Two observers of one call, told in order; see {@link CallObserver#both}. */
final class CallObservers implements CallObserver {

    private final CallObserver first;
    private final CallObserver second;
    private final boolean followsPlugins;

    CallObservers(CallObserver first, CallObserver second) {
        this.first = first;
        this.second = second;
        this.followsPlugins = first.followsPlugins() || second.followsPlugins();
    }

    @Override
    public boolean followsPlugins() {
        return followsPlugins;
    }

    @Override
    public @Nullable Runnable pluginStarted(Exchange exchange, String plugin, Phase phase) {
        Runnable a = first.followsPlugins() ? first.pluginStarted(exchange, plugin, phase) : null;
        Runnable b = second.followsPlugins() ? second.pluginStarted(exchange, plugin, phase) : null;
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return () -> {
            b.run();
            a.run();
        };
    }

    @Override
    public void pluginEnded(Exchange exchange, String plugin, Phase phase, @Nullable Throwable error) {
        if (first.followsPlugins()) {
            first.pluginEnded(exchange, plugin, phase, error);
        }
        if (second.followsPlugins()) {
            second.pluginEnded(exchange, plugin, phase, error);
        }
    }

    @Override
    public Outbound upstreamStarted(Exchange exchange, int attempt, BiConsumer<String, String> headers) {
        return pair(first.upstreamStarted(exchange, attempt, headers), second.upstreamStarted(exchange, attempt,
                headers));
    }

    @Override
    public Outbound requestStarted(Exchange exchange, String plugin, OutboundRequest request,
            BiConsumer<String, String> headers) {
        return pair(first.requestStarted(exchange, plugin, request, headers),
                second.requestStarted(exchange, plugin, request, headers));
    }

    private static Outbound pair(Outbound a, Outbound b) {
        if (a == Outbound.IGNORED || b == Outbound.IGNORED) {
            return a == Outbound.IGNORED ? b : a;
        }
        return (status, error) -> {
            a.ended(status, error);
            b.ended(status, error);
        };
    }

    @Override
    public void contextHeaders(Exchange exchange, BiConsumer<String, String> headers) {
        first.contextHeaders(exchange, headers);
        second.contextHeaders(exchange, headers);
    }

    @Override
    public void callCompleted(Exchange exchange) {
        first.callCompleted(exchange);
        second.callCompleted(exchange);
    }
}
