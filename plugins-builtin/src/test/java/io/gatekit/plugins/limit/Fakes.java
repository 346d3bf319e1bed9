package io.gatekit.plugins.limit;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.PluginContext;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.UpstreamTarget;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.testkit.ManualClock;
import java.lang.System.Logger;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A context and exchanges for calling a limiter instance directly, where a test looks at its
 * state (how many keys it holds), which no request through an engine shows.
 */
final class Fakes {

    private Fakes() {
    }

    static PluginContext context(ManualClock clock) {
        ScheduledExecutorService timers = clock.newScheduler();
        return new PluginContext() {
            @Override
            public String pluginName() {
                return "limit";
            }

            @Override
            public String owner() {
                return "route test";
            }

            @Override
            public HttpClient httpClient() {
                throw new UnsupportedOperationException("no outbound calls here");
            }

            @Override
            public ScheduledExecutorService scheduler() {
                return timers;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public Metrics metrics() {
                throw new UnsupportedOperationException("no metrics here");
            }

            @Override
            public Logger logger() {
                return System.getLogger("limit");
            }

            @Override
            public <T> Optional<T> attributes(Class<T> type) {
                return Optional.empty();
            }

            @Override
            public <T> Optional<T> metadata(Class<T> type) {
                return Optional.empty();
            }
        };
    }

    /** A request from {@code ip}; {@code remote_addr} is its only variable. */
    static Exchange exchange(String ip) {
        HttpRequest request = HttpRequest.builder().remoteAddress(new InetSocketAddress(ip, 1)).build();
        Map<AttributeKey<?>, Object> attrs = new HashMap<>();
        return new Exchange() {
            @Override
            public HttpRequest request() {
                return request;
            }

            @Override
            public UpstreamTarget upstream() {
                throw new UnsupportedOperationException("no upstream here");
            }

            @Override
            public @Nullable HttpResponse response() {
                return null;
            }

            @Override
            public @Nullable String routeId() {
                return "test";
            }

            @Override
            public Phase phase() {
                return Phase.ACCESS;
            }

            @Override
            public @Nullable String var(String name) {
                return name.equals("remote_addr") ? ip : null;
            }

            @Override
            public <T> @Nullable T attr(AttributeKey<T> key) {
                return key.type().cast(attrs.get(key));
            }

            @Override
            public <T> void attr(AttributeKey<T> key, @Nullable T value) {
                attrs.put(key, value);
            }
        };
    }
}
