package io.gatekit.spring.boot;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.List;

/** Plugins the starter's own tests put on routes, as plugin beans. */
final class TestPlugins {

    private TestPlugins() {
    }

    record NoConfig() {
    }

    /** {@code test-attr}'s node attributes. */
    record Greeting(String greeting) {
    }

    static List<PluginFactory<?>> all() {
        return List.of(
                plugin("test-throw", 4000, new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        if (exchange.request().headers().contains("x-throw")) {
                            throw new IllegalStateException("test-throw was asked to throw");
                        }
                        return Outcome.proceed();
                    }
                }),
                PluginFactory.of("test-attr", 1500, "{\"type\": \"object\"}", NoConfig.class, (config, context) -> {
                    String greeting = context.attributes(Greeting.class).map(Greeting::greeting).orElse("none");
                    return new Plugin() {
                        @Override
                        public Completion headerFilter(Exchange exchange) {
                            exchange.response().headers().set("x-greeting", greeting);
                            return Completion.done();
                        }
                    };
                }),
                plugin("test-stamp", 2000, new Plugin() {
                    @Override
                    public Completion headerFilter(Exchange exchange) {
                        exchange.response().headers().set("x-stamp", "status " + exchange.response().status());
                        return Completion.done();
                    }
                }));
    }

    private static PluginFactory<NoConfig> plugin(String name, int priority, Plugin plugin) {
        return PluginFactory.of(name, priority, "{\"type\": \"object\"}", NoConfig.class, (config, context) -> plugin);
    }
}
