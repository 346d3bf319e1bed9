package io.gatekit.plugins.limit;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@code limit-req} instance: nginx's {@code limit_req} leaky bucket (as lua-resty-limit-traffic
 * computes it), per key, in {@code access}. Amounts are in thousandths of a request, as there.
 */
final class LimitReqPlugin implements Plugin {

    /** One key's bucket: how full ({@code excess}) at {@code last} (clock millis). */
    static final class Bucket extends Counters.State {
        double excess;
        long last = Long.MIN_VALUE;
        private final double rate;

        Bucket(double rate) {
            this.rate = rate;
        }

        /** Empty long enough that a fresh bucket would decide the same. */
        @Override
        boolean stale(long now) {
            return last == Long.MIN_VALUE || excess - rate * (now - last) / 1000 + 1000 <= 0;
        }
    }

    private final double rate;
    private final double burst;
    private final LimitKey key;
    private final Clock clock;
    private final PluginContext context;
    private final int rejectedCode;
    private final byte[] rejectedBody;
    private final boolean nodelay;
    private final boolean allowDegradation;
    private final Counters<Bucket> buckets;

    LimitReqPlugin(LimitReqFactory.Config config, LimitKey key, PluginContext context) {
        this.rate = config.rate() * 1000;
        this.burst = config.burst() * 1000;
        this.key = key;
        this.clock = context.clock();
        this.context = context;
        this.rejectedCode = config.rejectedCode();
        this.rejectedBody = Limits.body(config.rejectedMsg());
        this.nodelay = config.nodelay();
        this.allowDegradation = config.allowDegradation();
        double r = rate;
        // a bucket drains a full burst plus one request in this time; sweep no more often than that
        this.buckets = new Counters<>(k -> new Bucket(r), (long) Math.ceil((burst + 1000) * 1000 / rate));
    }

    @Override
    public Outcome access(Exchange exchange) {
        String counted = key.of(exchange);
        long now = clock.millis();
        double excess;
        while (true) {
            Bucket bucket = buckets.get(counted, now);
            synchronized (bucket) {
                if (bucket.dead) {
                    continue;
                }
                if (bucket.last == Long.MIN_VALUE) {
                    excess = 0;
                } else {
                    excess = Math.max(bucket.excess - rate * Math.abs(now - bucket.last) / 1000 + 1000, 0);
                    if (excess > burst) {
                        return Limits.rejection(rejectedCode, rejectedBody, HttpHeaders.of());
                    }
                }
                bucket.excess = excess;
                bucket.last = now;
            }
            break;
        }
        double delaySeconds = excess / rate;
        if (delaySeconds < 0.001 || nodelay) {
            return Outcome.proceed();
        }
        return Outcome.async(later((long) (delaySeconds * 1_000_000_000L)));
    }

    /** Proceeds after {@code nanos} from a timer: the waiting request holds no thread. */
    private CompletableFuture<Outcome> later(long nanos) {
        CompletableFuture<Outcome> resumed = new CompletableFuture<>();
        ScheduledExecutorService timers = context.scheduler();
        timers.schedule(() -> resumed.complete(Outcome.proceed()), nanos, TimeUnit.NANOSECONDS);
        return resumed;
    }

    /** The limiter cannot fail on its own; should this code throw, {@code allow_degradation} lets the request on. */
    @Override
    public boolean failOpen() {
        return allowDegradation;
    }

    /** How many keys have state now; for tests. */
    int keys() {
        return buckets.size();
    }
}
