package io.gatekit.spring.boot;

import io.gatekit.engine.Engine;

/**
 * A bean that adjusts the auto-configured engine before it is built: listeners, plugin attributes,
 * upstream timeouts. Plugin factories need none: a bean of type {@link io.gatekit.api.PluginFactory}
 * is registered as it is.
 *
 * <pre>{@code
 * @Bean
 * GatekitEngineCustomizer timeouts() {
 *     return builder -> builder.upstreamTimeouts(new Upstream.Timeouts(2, 10, 10));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface GatekitEngineCustomizer {

    /** Adjusts {@code builder}, which already holds the discovered plugins and the plugin beans. */
    void customize(Engine.Builder builder);
}
