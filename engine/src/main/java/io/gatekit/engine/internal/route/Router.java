package io.gatekit.engine.internal.route;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.expr.VarSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the route for a request, with the semantics of APISIX's {@code radixtree_uri} router
 * (lua-resty-radixtree, parameters enabled as in {@code radixtree_uri_with_parameter}). Built once
 * from {@link RouteSpec}s; immutable and thread-safe.
 *
 * <h2>Which route wins</h2>
 * <ol>
 *   <li>Routes with an exact uri equal to the path, first. Then routes whose uri key (the text
 *       before a trailing {@code *}, or before the first {@code :param} / {@code *param} segment)
 *       is a prefix of the path, longest key first: {@code /a/b/*} before {@code /a/*}, and
 *       {@code /user/:id} (key {@code /user/}) before {@code /*}.</li>
 *   <li>Under one exact uri or key: higher {@link RouteSpec#priority() priority} first, then the
 *       longer uri as configured ({@code /user/:id/profile}, then {@code /user/:id}, then
 *       {@code /user/*}), then the order routes were added to the builder, as radixtree keeps
 *       insertion order (the caller chooses that order, for example by route id).</li>
 *   <li>In that order, the first route whose whole uri matches the path and whose methods,
 *       hosts, remote addresses and {@code vars} accept the request wins. A route that fails
 *       any of them falls through to the next candidate, then to shorter keys.</li>
 * </ol>
 * Priority therefore only orders routes with the same uri key, as in APISIX: an exact uri beats
 * any prefix whatever their priorities.
 *
 * <h2>Cost</h2>
 * An exact uri is one hash lookup and no allocation. Other uris cost one walk down a radix tree
 * along the path, plain string comparisons (no regex), and, for a uri with parameters, one
 * small object per match. No step scans all routes: the work depends on the path and the keys
 * along it, not on how many routes there are; what grows is only the memory the lookups touch
 * ({@code RouterBenchmark}: about 1.5 to 2.5 times the time at 10,000 routes as at 10).
 *
 * @param <T> the payload type
 */
public final class Router<T> {

    private static final VarSource NO_VARS = name -> null;
    @SuppressWarnings("rawtypes")
    private static final Candidate[] NONE = new Candidate[0];

    private final ShardedMap<String, Candidate<T>[]> exact;
    /** The candidates of the prefix tree by key, kept to replace one route without rebuilding. */
    private final ShardedMap<String, Candidate<T>[]> keyed;
    private final PrefixTree<T> prefixes;
    private final int size;
    private final int nextOrdinal;

    private Router(ShardedMap<String, Candidate<T>[]> exact, ShardedMap<String, Candidate<T>[]> keyed,
            PrefixTree<T> prefixes,
            int size, int nextOrdinal) {
        this.exact = exact;
        this.keyed = keyed;
        this.prefixes = prefixes;
        this.size = size;
        this.nextOrdinal = nextOrdinal;
    }

    /** A builder to add routes to, in the order that breaks priority ties. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** A router over {@code routes}, in their iteration order. */
    public static <T> Router<T> of(Collection<RouteSpec<T>> routes) {
        Builder<T> builder = builder();
        routes.forEach(builder::add);
        return builder.build();
    }

    /**
     * The route for a request, or {@code null} if none matches.
     *
     * @param method     the HTTP method ({@code GET}); a method a route does not list never
     *                   matches that route
     * @param host       the host without port, as nginx's {@code $host}; {@code null} matches
     *                   only routes without hosts
     * @param path       the decoded path without query string, as nginx's {@code $uri}
     * @param remoteAddr the client IP without port, or {@code null} to read it from {@code vars}
     *                   ({@code remote_addr}) only when a route checks it; with neither, only routes
     *                   without remote addresses match
     * @param vars       request variables for {@code vars} conditions; {@code null} reads all
     *                   variables as unset
     */
    public @Nullable Match<T> match(@Nullable String method, @Nullable String host, String path,
            @Nullable String remoteAddr, @Nullable VarSource vars) {
        int methodBit = HttpMethods.bit(method);
        VarSource variables = vars != null ? vars : NO_VARS;
        Candidate<T>[] sameUri = exact.get(path);
        if (sameUri != null) {
            for (Candidate<T> candidate : sameUri) {
                if (candidate.accepts(methodBit, host, remoteAddr, variables)) {
                    return candidate.match(path);
                }
            }
        }
        for (PrefixTree.Node<T> node = prefixes.longestKeyOf(path); node != null; node = node.shorterKey()) {
            for (Candidate<T> candidate : node.candidates()) {
                if (candidate.matches(path)
                        && candidate.accepts(methodBit, host, remoteAddr, variables)) {
                    return candidate.match(path);
                }
            }
        }
        return null;
    }

    /**
     * Whether some route's uri matches {@code path}, whatever the request's method, host, client
     * address and variables: {@code false} means {@link #match} returns {@code null} for every
     * request on this path. The same walk as {@code match}, without the conditions; no allocation.
     *
     * @param path the decoded path without query string, as nginx's {@code $uri}
     */
    public boolean mayMatch(String path) {
        if (exact.get(path) != null) {
            return true;
        }
        for (PrefixTree.Node<T> node = prefixes.longestKeyOf(path); node != null; node = node.shorterKey()) {
            for (Candidate<T> candidate : node.candidates()) {
                if (candidate.matches(path)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A router like this one with one route replaced, added or removed, at the cost of that
     * route's keys rather than of all routes: the maps are copied, only the changed buckets are
     * rebuilt, and the prefix tree is patched along the changed keys. This router is left as it
     * is. A replaced route keeps its place in the order routes were added; an added one goes
     * last, as with {@link Builder#add}.
     *
     * @param old   the route to take out, as given to this router; {@code null} to only add
     * @param route the route to put in; {@code null} to only remove
     * @throws IllegalArgumentException if {@code old} is not in this router
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Router<T> replace(@Nullable RouteSpec<T> old, @Nullable RouteSpec<T> route) {
        int ordinal = nextOrdinal;
        ShardedMap<String, Candidate<T>[]> newExact = exact;
        ShardedMap<String, Candidate<T>[]> newKeyed = keyed;
        Set<String> changedKeys = new HashSet<>();
        if (old != null) {
            boolean found = false;
            for (PathPattern pattern : old.patterns()) {
                boolean isExact = pattern.kind() == PathPattern.Kind.EXACT;
                ShardedMap<String, Candidate<T>[]> target = isExact ? newExact : newKeyed;
                Candidate<T>[] bucket = target.get(pattern.key());
                if (bucket == null) {
                    continue;
                }
                List<Candidate<T>> kept = new ArrayList<>(bucket.length);
                for (Candidate<T> candidate : bucket) {
                    if (candidate.route == old) {
                        ordinal = candidate.ordinal;
                        found = true;
                    } else {
                        kept.add(candidate);
                    }
                }
                target = kept.isEmpty() ? target.without(pattern.key())
                        : target.with(pattern.key(), kept.toArray(new Candidate[0]));
                if (isExact) {
                    newExact = target;
                } else {
                    newKeyed = target;
                    changedKeys.add(pattern.key());
                }
            }
            if (!found) {
                throw new IllegalArgumentException("old: route \"" + old.id() + "\" (expected: a route of this router)");
            }
        }
        if (route != null) {
            int index = 0;
            for (PathPattern pattern : route.patterns()) {
                boolean isExact = pattern.kind() == PathPattern.Kind.EXACT;
                ShardedMap<String, Candidate<T>[]> target = isExact ? newExact : newKeyed;
                Candidate<T>[] bucket = target.get(pattern.key());
                if (bucket == null) {
                    bucket = NONE;
                }
                Candidate<T>[] grown = Arrays.copyOf(bucket, bucket.length + 1);
                grown[bucket.length] = new Candidate<>(route, pattern, ordinal, index++);
                Arrays.sort(grown, Candidate.ORDER);
                target = target.with(pattern.key(), grown);
                if (isExact) {
                    newExact = target;
                } else {
                    newKeyed = target;
                    changedKeys.add(pattern.key());
                }
            }
        }
        PrefixTree<T> tree = prefixes;
        for (String key : changedKeys) {
            Candidate<T>[] candidates = newKeyed.get(key);
            tree = tree.with(key, candidates != null ? candidates : NONE, NONE);
        }
        int newSize = size + (route != null ? 1 : 0) - (old != null ? 1 : 0);
        int newNext = old != null ? nextOrdinal : nextOrdinal + 1;
        return new Router<>(newExact, newKeyed, tree, newSize, newNext);
    }

    /** How many routes this router holds. */
    public int size() {
        return size;
    }

    /** The prefix and parameter keys, for tests. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        prefixes.keys(keys);
        return keys;
    }

    /**
     * Collects routes, then builds the router. Not thread-safe; {@link #build} may be called
     * once.
     *
     * @param <T> the payload type
     */
    public static final class Builder<T> {
        private final List<RouteSpec<T>> routes = new ArrayList<>();
        private final Set<String> ids = new HashSet<>();

        private Builder() {
        }

        /**
         * Adds {@code route}; earlier routes win priority ties.
         *
         * @throws IllegalArgumentException if a route with the same id was added
         */
        public Builder<T> add(RouteSpec<T> route) {
            requireNonNull(route, "route");
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("id: \"" + route.id() + "\" (expected unique"
                        + " route ids; this one was added twice)");
            }
            routes.add(route);
            return this;
        }

        /** The router over the routes added so far. */
        @SuppressWarnings("unchecked")
        public Router<T> build() {
            Map<String, List<Candidate<T>>> exact = new HashMap<>();
            Map<String, List<Candidate<T>>> keyed = new LinkedHashMap<>();
            int ordinal = 0;
            for (RouteSpec<T> route : routes) {
                int index = 0;
                for (PathPattern pattern : route.patterns()) {
                    Candidate<T> candidate = new Candidate<>(route, pattern, ordinal, index++);
                    Map<String, List<Candidate<T>>> target =
                            pattern.kind() == PathPattern.Kind.EXACT ? exact : keyed;
                    target.computeIfAbsent(pattern.key(), k -> new ArrayList<>(1)).add(candidate);
                }
                ordinal++;
            }
            Map<String, Candidate<T>[]> sortedKeyed = sorted(keyed);
            return new Router<>(ShardedMap.of(sorted(exact)), ShardedMap.of(sortedKeyed),
                    PrefixTree.of(sortedKeyed, NONE), routes.size(), ordinal);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static <T> Map<String, Candidate<T>[]> sorted(Map<String, List<Candidate<T>>> buckets) {
            Map<String, Candidate<T>[]> result = new HashMap<>(buckets.size() * 2);
            for (Map.Entry<String, List<Candidate<T>>> e : buckets.entrySet()) {
                List<Candidate<T>> candidates = e.getValue();
                candidates.sort(Candidate.ORDER);
                result.put(e.getKey(), candidates.toArray(new Candidate[0]));
            }
            return result;
        }
    }
}
