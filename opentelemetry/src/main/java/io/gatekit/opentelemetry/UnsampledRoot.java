package io.gatekit.opentelemetry;

import io.gatekit.api.CallObserver;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import java.nio.charset.StandardCharsets;
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
        String traceparent = exchange.attr(GatekitTracing.UNSAMPLED);
        if (traceparent == null) {
            traceparent = traceparent(ThreadLocalRandom.current());
            exchange.attr(GatekitTracing.UNSAMPLED, traceparent);
        }
        // W3C trace context whatever the application's propagators: the flag is what matters here
        headers.accept("traceparent", traceparent);
    }

    /**
     * {@code 00-<trace id>-<span id>-00}, written directly: this runs for every unsampled call
     * that sends something, so it makes one string and nothing else.
     */
    static String traceparent(ThreadLocalRandom random) {
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
        byte[] text = new byte[55];
        text[0] = '0';
        text[1] = '0';
        text[2] = '-';
        hex(high, text, 3);
        hex(low, text, 19);
        text[35] = '-';
        hex(span, text, 36);
        text[52] = '-';
        text[53] = '0';
        text[54] = '0';
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static void hex(long value, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = (byte) HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
