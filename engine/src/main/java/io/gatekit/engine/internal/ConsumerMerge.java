package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.engine.Explanation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lays a consumer's plugins, and its group's, over a route, as APISIX's
 * {@code plugin.merge_consumer_route}: the group's config of a plugin replaces the route's, the
 * consumer's replaces both. The merged routes of one snapshot are cached by route and consumer,
 * as APISIX caches them by their versions; a config change brings a new snapshot and so a new
 * cache.
 */
final class ConsumerMerge {

    /** Beyond this many route and consumer pairs the cache starts over, as an LRU would evict. */
    private static final int MAX_CACHED = 10_000;

    private static final Comparator<PluginEntry> ORDER = Comparator
            .comparingInt(PluginEntry::priority).reversed()
            .thenComparing(PluginEntry::name);

    private final Map<String, CompiledRoute> cache = new ConcurrentHashMap<>();

    /**
     * {@code route} with the plugins of {@code consumer} and {@code group} laid over it; the
     * very {@code route} when they have none (APISIX's "changed" is then false).
     */
    CompiledRoute merge(CompiledRoute route, ConsumerSet.Found consumer, ConsumerSet.@Nullable Level group,
            List<PluginEntry> globals) {
        boolean none = consumer.level().plugins().isEmpty() && consumer.level().skipped().isEmpty()
                && (group == null || group.plugins().isEmpty() && group.skipped().isEmpty());
        if (none || route.id() == null) {
            return route;
        }
        String key = route.id() + '\n' + consumer.username();
        CompiledRoute merged = cache.get(key);
        if (merged == null) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            merged = build(route, consumer, group, globals);
            cache.put(key, merged);
        }
        return merged;
    }

    private static CompiledRoute build(CompiledRoute route, ConsumerSet.Found consumer,
            ConsumerSet.@Nullable Level group, List<PluginEntry> globals) {
        Map<String, PluginEntry> merged = new LinkedHashMap<>();
        route.own().forEach(e -> merged.put(e.name(), e));
        Set<String> onRoute = new HashSet<>(merged.keySet());
        List<Explanation.Skipped> skipped = new ArrayList<>(route.skipped());
        if (group != null) {
            lay(merged, skipped, group, "consumer_group");
        }
        lay(merged, skipped, consumer.level(), "consumer");
        List<PluginEntry> own = new ArrayList<>(merged.values());
        own.sort(ORDER);
        CompiledRoute result = new CompiledRoute(route.id(), route.upstream(), route.timeout(), globals, own,
                skipped, route.inputs());
        result.names(route.names());
        // APISIX's rewrite_in_consumer: the rewrite of what the consumer brought that the route did
        // not have runs now, after the route's; a plugin the route had already ran its rewrite
        result.consumerRewrite = own.stream()
                .filter(e -> !onRoute.contains(e.name()) && e.instance().phases().contains(Phase.REWRITE))
                .toArray(PluginEntry[]::new);
        return result;
    }

    private static void lay(Map<String, PluginEntry> merged, List<Explanation.Skipped> skipped,
            ConsumerSet.Level level, String label) {
        for (Explanation.Skipped disabled : level.skipped()) {
            // a disabled config still replaces the route's: the plugin runs at neither level
            PluginEntry overridden = merged.remove(disabled.plugin());
            if (overridden != null) {
                skipped.add(new Explanation.Skipped(disabled.plugin(), overridden.origin(), overridden.originId(),
                        "overridden by " + label + " " + level.id()));
            }
            skipped.add(disabled);
        }
        for (PluginEntry entry : level.plugins()) {
            PluginEntry overridden = merged.put(entry.name(), entry);
            if (overridden != null) {
                skipped.add(new Explanation.Skipped(entry.name(), overridden.origin(), overridden.originId(),
                        "overridden by " + label + " " + level.id()));
            }
        }
    }
}
