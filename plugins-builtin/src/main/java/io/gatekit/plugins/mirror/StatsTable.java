package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import io.gatekit.api.metrics.Metrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series of an instance, per route and target. An instance owned by a route knows its route
 * and looks its series up at create time; one owned by a service, a plugin config, a consumer or a
 * global rule serves many routes, so it looks them up on first use per route (on the mirroring
 * path only, which allocates anyway) and keeps them.
 */
final class StatsTable {

    private static final String ROUTE_OWNER = "route ";

    private final Metrics metrics;
    private final List<MirrorTarget> targets;
    private final MirrorStats @Nullable [] owned;
    private final Map<String, MirrorStats[]> byRoute = new ConcurrentHashMap<>();

    StatsTable(Metrics metrics, List<MirrorTarget> targets, String owner) {
        this.metrics = metrics;
        this.targets = targets;
        this.owned = owner.startsWith(ROUTE_OWNER) ? lookUp(owner.substring(ROUTE_OWNER.length())) : null;
    }

    /** The series of each target, in target order, for requests of {@code routeId}. */
    MirrorStats[] forRoute(@Nullable String routeId) {
        MirrorStats[] stats = owned;
        if (stats != null) {
            return stats;
        }
        return byRoute.computeIfAbsent(routeId == null ? "" : routeId, this::lookUp);
    }

    private MirrorStats[] lookUp(String route) {
        MirrorStats[] stats = new MirrorStats[targets.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = MirrorStats.of(metrics, route, targets.get(i).label());
        }
        return stats;
    }
}
