package io.gatekit.spring.cloud.gateway;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;

/**
 * The {@code Gatekit} filter: Gatekit plugins on a Spring Cloud Gateway route, configured as an
 * APISIX route's {@code plugins} object. SCG keeps its routing and its HTTP client; Gatekit runs
 * the plugin phases around SCG's forwarding ({@code proxy-mirror} mirrors through Gatekit's
 * client). The plugins are checked with their JSON schemas when the route is built: an invalid one
 * fails the start with APISIX's message.
 *
 * <pre>{@code
 * spring.cloud.gateway.server.webflux.routes:
 *   - id: orders
 *     uri: http://orders:8080
 *     predicates: [Path=/orders/**]
 *     filters:
 *       - name: Gatekit
 *         args:
 *           plugins: '{"proxy-mirror": {"host": "http://mirror:9797"}}'
 * }</pre>
 *
 * <p>{@code plugins} is JSON text or, in YAML, a map ({@link Plugins}). The shortcut form takes JSON
 * without commas, as SCG splits a shortcut at commas:
 * {@code - Gatekit={"proxy-mirror": {"host": "http://mirror:9797"}}}.
 */
public class GatekitGatewayFilterFactory extends AbstractGatewayFilterFactory<GatekitGatewayFilterFactory.Config> {

    private final Engine engine;

    /** A factory storing its routes' plugins in {@code engine}. */
    public GatekitGatewayFilterFactory(Engine engine) {
        super(Config.class);
        this.engine = requireNonNull(engine, "engine");
    }

    /** {@code - Gatekit=<json>}: SCG splits a shortcut at commas, so it holds JSON without any. */
    @Override
    public List<String> shortcutFieldOrder() {
        return List.of("plugins");
    }

    @Override
    public GatewayFilter apply(Config config) {
        requireNonNull(config, "config");
        String routeId = config.getRouteId();
        String plugins = PluginsJson.of(config.getPlugins());
        String name = routeId != null ? routeId : HostedRoute.nameOf(plugins);
        try {
            return new GatekitGatewayFilter(HostedRoute.store(engine, name, plugins));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("Gatekit filter of route " + (routeId != null ? routeId : "(no id)")
                    + ": plugins: " + e.errorMsg(), e);
        }
    }

    /** The {@code Gatekit} filter's arguments. */
    public static class Config implements HasRouteId {

        private @Nullable Plugins plugins;
        private @Nullable String routeId;

        /** The plugins, by name. */
        public @Nullable Plugins getPlugins() {
            return plugins;
        }

        /** Sets the plugins: {@code Plugins.of("{\"proxy-mirror\": {\"host\": \"http://mirror:9797\"}}")}. */
        public Config setPlugins(@Nullable Plugins plugins) {
            this.plugins = plugins;
            return this;
        }

        @Override
        public @Nullable String getRouteId() {
            return routeId;
        }

        @Override
        public void setRouteId(@Nullable String routeId) {
            this.routeId = routeId;
        }
    }

    /**
     * The {@code plugins} argument: plugin name to config. Spring binds it from JSON text
     * ({@link #valueOf}: each config is kept as written) or from a YAML map, whose scalars arrive
     * as text and are typed as YAML reads them ({@code 2} a number, {@code true} a boolean, else
     * text; quote nothing to keep a number text, write JSON instead) before the schemas check them.
     */
    public static final class Plugins extends java.util.LinkedHashMap<String, Object> {

        private static final long serialVersionUID = 1L;

        /** Empty; Spring fills it from a YAML map. */
        public Plugins() {
        }

        /**
         * The plugins of {@code json}, an APISIX route's {@code plugins} object.
         *
         * @throws IllegalArgumentException when {@code json} is not a JSON object
         */
        public static Plugins valueOf(String json) {
            Plugins plugins = new Plugins();
            plugins.putAll(PluginsJson.parse(json));
            return plugins;
        }
    }
}
