package io.gatekit.plugins.limit;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import java.time.Clock;

/**
 * A {@code limit-count} instance: fixed windows per key, counted in {@code access}. The quota
 * headers of an admitted request go on the response in {@code header_filter}; a refusal carries
 * them itself. Without {@code show_limit_quota_header} the instance has no {@code header_filter}.
 */
class LimitCountPlugin implements Plugin {

    /** One key's window: ends at {@code end} (clock millis), {@code used} requests so far. */
    static final class Window extends Counters.State {
        long end;
        long used;

        @Override
        boolean stale(long now) {
            return now >= end;
        }
    }

    /** What an admitted request's response says of its quota. */
    record Quota(long remaining, long resetMillis) {
    }

    final AttributeKey<Quota> quota = AttributeKey.of("limit-count quota", Quota.class);
    final long limit;
    final String limitText;
    final LimitCountFactory.Metadata names;
    private final long windowMillis;
    private final LimitKey key;
    private final Clock clock;
    private final int rejectedCode;
    private final byte[] rejectedBody;
    private final boolean showHeaders;
    private final boolean allowDegradation;
    private final Counters<Window> windows;

    LimitCountPlugin(LimitCountFactory.Config config, long count, long windowSeconds, LimitKey key,
            LimitCountFactory.Metadata names, Clock clock) {
        this.limit = count;
        this.limitText = Long.toString(count);
        this.windowMillis = windowSeconds * 1000;
        this.key = key;
        this.names = names;
        this.clock = clock;
        this.rejectedCode = config.rejectedCode();
        this.rejectedBody = Limits.body(config.rejectedMsg());
        this.showHeaders = config.showLimitQuotaHeader();
        this.allowDegradation = config.allowDegradation();
        this.windows = new Counters<>(k -> new Window(), windowMillis);
    }

    static Plugin create(LimitCountFactory.Config config, long count, long windowSeconds, LimitKey key,
            LimitCountFactory.Metadata names, Clock clock) {
        return config.showLimitQuotaHeader() ? new WithHeaders(config, count, windowSeconds, key, names, clock)
                : new LimitCountPlugin(config, count, windowSeconds, key, names, clock);
    }

    @Override
    public final Outcome access(Exchange exchange) {
        String counted = key.of(exchange);
        long now = clock.millis();
        while (true) {
            Window window = windows.get(counted, now);
            long remaining;
            long reset;
            synchronized (window) {
                if (window.dead) {
                    continue;
                }
                if (now >= window.end) {
                    window.end = now + windowMillis;
                    window.used = 0;
                }
                reset = window.end - now;
                if (window.used + 1 > limit) {
                    return refuse(reset);
                }
                window.used++;
                remaining = limit - window.used;
            }
            if (showHeaders) {
                exchange.attr(quota, new Quota(remaining, reset));
            }
            return Outcome.proceed();
        }
    }

    private Outcome refuse(long resetMillis) {
        HttpHeaders headers = HttpHeaders.of();
        if (showHeaders) {
            headers.set(names.limitHeader(), limitText);
            headers.set(names.remainingHeader(), "0");
            headers.set(names.resetHeader(), seconds(resetMillis));
        }
        return Limits.rejection(rejectedCode, rejectedBody, headers);
    }

    /** As APISIX writes the reset: seconds, cut to hundredths, as Lua prints a number ({@code 60}, {@code 59.5}). */
    static String seconds(long millis) {
        long hundredths = millis / 10;
        long whole = hundredths / 100;
        int fraction = (int) (hundredths % 100);
        if (fraction == 0) {
            return Long.toString(whole); // the common case: first request of a window, or whole seconds
        }
        StringBuilder out = new StringBuilder(8).append(whole).append('.').append((char) ('0' + fraction / 10));
        return fraction % 10 == 0 ? out.toString() : out.append((char) ('0' + fraction % 10)).toString();
    }

    /** The limiter cannot fail on its own; should this code throw, {@code allow_degradation} lets the request on. */
    @Override
    public final boolean failOpen() {
        return allowDegradation;
    }

    /** How many keys have state now; for tests. */
    final int keys() {
        return windows.size();
    }

    /** With {@code show_limit_quota_header}: the quota headers on admitted requests' responses. */
    private static final class WithHeaders extends LimitCountPlugin {
        WithHeaders(LimitCountFactory.Config config, long count, long windowSeconds, LimitKey key,
                LimitCountFactory.Metadata names, Clock clock) {
            super(config, count, windowSeconds, key, names, clock);
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            Quota q = exchange.attr(quota);
            if (q != null) {
                HttpHeaders headers = exchange.response().headers();
                headers.set(names.limitHeader(), limitText);
                headers.set(names.remainingHeader(), Long.toString(q.remaining()));
                headers.set(names.resetHeader(), seconds(q.resetMillis()));
            }
            return Completion.done();
        }
    }
}
