package io.gatekit.benchmarks.e2e;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.metrics.Counter;

/**
 * In-process plugins for the end-to-end runs, found by {@link java.util.ServiceLoader} when the
 * gateway runs with {@code benchmarks.jar} on its class path:
 * <ul>
 *   <li>{@code bench-noop}: does nothing in {@code rewrite}; the in-process side of P8, facing one
 *       no-op runner plugin behind {@code ext-plugin-pre-req} (which also runs in {@code rewrite}).</li>
 *   <li>{@code bench-stamp} and {@code bench-count}: the "two typical plugins" of P9, stand-ins for
 *       APISIX's {@code limit-count} + {@code prometheus} pair: one sets a request and a response
 *       header, the other counts requests per route in the {@code log} phase into the gateway's
 *       metrics registry.</li>
 * </ul>
 */
public final class BenchPlugins {

    private BenchPlugins() {
    }

    /** Config of {@code bench-noop}: nothing but an optional tag. */
    public record NoopConfig(@Nullable String tag) {
    }

    /** Config of {@code bench-stamp}: the value of the headers it sets. */
    public record StampConfig(String value) {
    }

    /** Config of {@code bench-count}: the label its counter carries. */
    public record CountConfig(String label) {
    }

    /** {@code bench-noop}. */
    public static final class NoopFactory implements PluginFactory<NoopConfig> {
        @Override
        public String name() {
            return "bench-noop";
        }

        @Override
        public int priority() {
            return 12_001;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"properties\": {\"tag\": {\"type\": \"string\"}}}";
        }

        @Override
        public Class<NoopConfig> configType() {
            return NoopConfig.class;
        }

        @Override
        public Plugin create(NoopConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    return Outcome.proceed();
                }
            };
        }
    }

    /** {@code bench-stamp}. */
    public static final class StampFactory implements PluginFactory<StampConfig> {
        @Override
        public String name() {
            return "bench-stamp";
        }

        @Override
        public int priority() {
            return 12_002;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"properties\": {\"value\": {\"type\": \"string\", \"minLength\": 1}},"
                    + " \"required\": [\"value\"]}";
        }

        @Override
        public Class<StampConfig> configType() {
            return StampConfig.class;
        }

        @Override
        public Plugin create(StampConfig config, PluginContext context) {
            String value = config.value();
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    exchange.request().headers().set("x-gatekit-bench", value);
                    return Outcome.proceed();
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    exchange.response().headers().set("x-gatekit-bench", value);
                    return Completion.done();
                }
            };
        }
    }

    /** {@code bench-count}. */
    public static final class CountFactory implements PluginFactory<CountConfig> {
        @Override
        public String name() {
            return "bench-count";
        }

        @Override
        public int priority() {
            return 12_003;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"properties\": {\"label\": {\"type\": \"string\", \"minLength\": 1}},"
                    + " \"required\": [\"label\"]}";
        }

        @Override
        public Class<CountConfig> configType() {
            return CountConfig.class;
        }

        @Override
        public Plugin create(CountConfig config, PluginContext context) {
            Counter requests = context.metrics().counter("gatekit_bench_requests_total", "label", config.label());
            return new Plugin() {
                @Override
                public void log(Exchange exchange) {
                    requests.increment();
                }
            };
        }
    }
}
