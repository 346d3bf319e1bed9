package io.gatekit.engine.internal;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.engine.Explanation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link io.gatekit.engine.Engine#explain} answers: the route a request matched and, per
 * phase, the plugins that would run in their order, with where each came from.
 */
final class Explanations {

    private Explanations() {
    }

    /**
     * The explanation of {@code call}, routed but not started, on {@code snapshot}; with
     * {@code username}, as if that consumer had authenticated.
     *
     * @throws IllegalArgumentException when {@code username} names no consumer, or one whose group is gone
     */
    static Explanation of(DefaultCall call, Snapshot snapshot, @Nullable String username) {
        CompiledRoute route = call.compiledRoute();
        if (username != null) {
            ConsumerSet.Found consumer = snapshot.consumers().consumer(username);
            if (consumer == null) {
                throw Arguments.invalid("consumer", "\"" + username + "\"", "a stored consumer");
            }
            CompiledRoute merged = call.matched() ? snapshot.withConsumer(route, consumer) : route;
            if (merged == null) {
                throw Arguments.invalid("consumer", "\"" + username + "\"",
                        "its group_id " + consumer.groupId() + " to exist");
            }
            route = merged;
        }
        Map<Phase, List<Explanation.Step>> phases = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            List<Explanation.Step> steps = new ArrayList<>();
            for (PluginEntry entry : route.chain(phase)) {
                steps.add(new Explanation.Step(entry.name(), entry.priority(), entry.origin(), entry.originId(),
                        entry.filterText(), call.filterMatches(entry)));
            }
            phases.put(phase, steps);
        }
        return new Explanation(call.matched() ? route.id() : null, snapshot.version(), phases, route.skipped());
    }
}
