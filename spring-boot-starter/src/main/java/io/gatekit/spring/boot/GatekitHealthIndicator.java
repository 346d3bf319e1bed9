package io.gatekit.spring.boot;

import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.runner.RunnerSupervisor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The {@code gatekit} health: the config source and the version in force, the number of routes,
 * the last change the source refused (APISIX's {@code error_msg} and every violation) and, when the
 * application has an ext-plugin runner ({@link RunnerSupervisor} bean), whether it is ready.
 *
 * <p>A refused change leaves the health UP: the last good config serves every request, so taking
 * the instance out of rotation would turn one bad edit into an outage. The rejection is in the
 * details until a good change applies. A runner that is not ready is DOWN: every request through
 * an {@code ext-plugin-*} fails (or degrades) until it is.
 */
final class GatekitHealthIndicator extends AbstractHealthIndicator {

    private final Engine engine;
    private final GatekitConfig config;
    private final @Nullable RunnerSupervisor runner;

    GatekitHealthIndicator(Engine engine, GatekitConfig config, @Nullable RunnerSupervisor runner) {
        super("Gatekit health check failed");
        this.engine = engine;
        this.config = config;
        this.runner = runner;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.up()
                .withDetail("config", config.description())
                .withDetail("version", engine.version())
                .withDetail("routes", engine.list(ResourceKind.ROUTES).size());
        Optional<ConfigException> rejection = config.lastRejection();
        rejection.ifPresent(e -> builder.withDetail("lastRejection", rejection(e)));
        if (runner != null) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("ready", runner.isReady());
            state.put("managed", runner.isManaged());
            state.put("socket", runner.socketPath().toString());
            state.put("starts", runner.generation());
            builder.withDetail("runner", state);
            if (!runner.isReady()) {
                builder.down();
            }
        }
    }

    static Map<String, Object> rejection(ConfigException e) {
        List<Map<String, String>> violations = e.violations().stream()
                .map(v -> Map.of("pointer", v.pointer(), "keyword", v.keyword(), "message", v.message()))
                .toList();
        return Map.of("error_msg", e.errorMsg(), "violations", violations);
    }
}
