package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import java.util.List;
import java.util.Map;

/**
 * What the engine would do with a request: which route matches and, per phase, which plugins run
 * in which order, where each config came from, and which were skipped and why. Answers "why did
 * my plugin not run" without reading the engine's source.
 *
 * <pre>{@code
 * Explanation why = engine.explain(HttpRequest.builder().uri("/hello").build());
 * why.routeId();                      // "1"
 * why.phases().get(Phase.ACCESS);     // [Step[plugin=key-auth, priority=2500, origin=ROUTE, ...]]
 * }</pre>
 *
 * @param routeId         the matched route, or {@code null} (then only global rules run, then 404)
 * @param snapshotVersion the config version this explanation was computed on
 * @param phases          per phase, the plugins that run, in order
 * @param skipped         plugins that are configured but do not run, with the reason
 */
public record Explanation(@Nullable String routeId, long snapshotVersion,
        Map<Phase, List<Step>> phases, List<Skipped> skipped) {

    public Explanation {
        phases = Map.copyOf(phases);
        skipped = List.copyOf(skipped);
    }

    /**
     * One plugin in one phase.
     *
     * @param plugin    plugin name
     * @param priority  effective priority ({@code _meta.priority} or the plugin's)
     * @param origin    where its config came from
     * @param originId  the id of that resource
     * @param filter    the {@code _meta.filter} text, or {@code null}; it decides at request time
     * @param filterMatches whether the filter matches this request ({@code true} without filter)
     */
    public record Step(String plugin, int priority, Origin origin, String originId,
            @Nullable String filter, boolean filterMatches) {
        public Step {
            requireNonNull(plugin, "plugin");
            requireNonNull(origin, "origin");
            requireNonNull(originId, "originId");
        }
    }

    /**
     * A configured plugin that does not run.
     *
     * @param plugin   plugin name
     * @param origin   where its config came from
     * @param originId the id of that resource
     * @param reason   why, e.g. {@code _meta.disable is true} or {@code overridden by route 1}
     */
    public record Skipped(String plugin, Origin origin, String originId, String reason) {
        public Skipped {
            requireNonNull(plugin, "plugin");
            requireNonNull(origin, "origin");
            requireNonNull(originId, "originId");
            requireNonNull(reason, "reason");
        }
    }
}
