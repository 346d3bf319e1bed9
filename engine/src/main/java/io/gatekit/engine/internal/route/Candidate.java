package io.gatekit.engine.internal.route;

import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.expr.VarSource;
import java.util.Comparator;

/**
 * One uri of one route, as filed under its key. Candidates under one key are tried in
 * {@link #ORDER}; a candidate without parameters carries the one {@link Match} it will ever
 * return, so matching it allocates nothing.
 */
final class Candidate<T> {

    /**
     * lua-resty-radixtree's order under one key: higher priority first, then the longer uri as
     * configured ({@code /user/:id} before {@code /user/*}), then the order routes were added.
     */
    static final Comparator<Candidate<?>> ORDER = (a, b) -> {
        int byPriority = Integer.compare(b.route.priority(), a.route.priority());
        if (byPriority != 0) {
            return byPriority;
        }
        int byLength = Integer.compare(b.pattern.uri().length(), a.pattern.uri().length());
        if (byLength != 0) {
            return byLength;
        }
        int byRoute = Integer.compare(a.ordinal, b.ordinal);
        return byRoute != 0 ? byRoute : Integer.compare(a.index, b.index);
    };

    final RouteSpec<T> route;
    final PathPattern pattern;
    /** Copied from the route so that unconditional routes are accepted without reading it. */
    private final boolean conditional;
    /** Whether the path must be scanned past the key (parameters); prefixes need not be. */
    private final boolean scans;
    /** The route's place in the order routes were added; kept when the router replaces the route. */
    final int ordinal;
    /** This uri's place among the route's uris. */
    private final int index;
    private final @Nullable Match<T> constant;

    Candidate(RouteSpec<T> route, PathPattern pattern, int ordinal, int index) {
        this.route = route;
        this.pattern = pattern;
        this.conditional = route.conditional();
        this.scans = pattern.kind() == PathPattern.Kind.PARAMS;
        this.ordinal = ordinal;
        this.index = index;
        this.constant = pattern.paramNames().length == 0 ? new Match<>(this, null, null) : null;
    }

    /** Whether {@code path}, found under this candidate's key, matches its whole uri. */
    boolean matches(String path) {
        return !scans || pattern.matches(path);
    }

    /** Whether the request passes the route's conditions besides the uri. */
    boolean accepts(int methodBit, @Nullable String host, @Nullable String remoteAddr, VarSource vars) {
        return !conditional || route.accepts(methodBit, host, remoteAddr, vars);
    }

    /** The match for {@code path}, which this candidate's pattern matches. */
    Match<T> match(String path) {
        return constant != null ? constant : new Match<>(this, path, pattern.capture(path));
    }
}
