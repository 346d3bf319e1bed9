package io.gatekit.engine.internal.route;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.api.match.IpSet;
import io.gatekit.engine.internal.expr.VarSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a route matches, and the payload the router hands back when it does: APISIX's
 * {@code uri}/{@code uris}, {@code hosts}, {@code methods}, {@code remote_addrs}, {@code vars} and
 * {@code priority}. Built with {@link #builder}, which checks every field at once and compiles
 * it; immutable.
 *
 * @param <T> the payload type
 */
public final class RouteSpec<T> {

    /** APISIX's {@code host_def}: an optional leading {@code *}, then host characters. */
    private static final Pattern HOST = Pattern.compile("\\*|\\*?[0-9a-zA-Z._\\[\\]:-]+");

    private final String id;
    private final T payload;
    private final List<String> uris;
    private final List<String> hosts;
    private final List<String> methods;
    private final List<String> remoteAddrs;
    private final @Nullable Expr vars;
    private final int priority;

    private final List<PathPattern> patterns;
    private final int methodBits;
    private final String[] exactHosts;
    private final String[] hostSuffixes;
    private final boolean checksHost;
    private final @Nullable IpSet remoteAddrMatcher;
    /** Whether any condition besides the uri is set; read on the hot path instead of each field. */
    private final boolean conditional;

    private RouteSpec(Builder<T> b) {
        this.id = b.id;
        this.payload = b.payload;
        // Parsed before duplicates go, so that messages give the index the caller used.
        List<PathPattern> parsed = parseUris(b.uris);
        this.uris = List.copyOf(new LinkedHashSet<>(b.uris));
        this.hosts = List.copyOf(b.hosts);
        this.methods = List.copyOf(b.methods);
        this.remoteAddrs = List.copyOf(b.remoteAddrs);
        this.vars = b.vars;
        this.priority = b.priority;
        this.patterns = distinct(parsed);
        this.methodBits = methodBits(methods);
        checkHosts(hosts);
        this.exactHosts = hosts.stream().filter(h -> !h.startsWith("*"))
                .map(h -> h.toLowerCase(Locale.ROOT)).toArray(String[]::new);
        // radixtree keeps what follows the '*' and matches it as a suffix: *.foo.com -> .foo.com
        this.hostSuffixes = hosts.stream().filter(h -> h.startsWith("*"))
                .map(h -> h.substring(1).toLowerCase(Locale.ROOT)).toArray(String[]::new);
        this.checksHost = !hosts.isEmpty();
        this.remoteAddrMatcher = remoteAddrs.isEmpty() ? null : ipMatcher(remoteAddrs);
        this.conditional = methodBits != 0 || checksHost || remoteAddrMatcher != null || vars != null;
    }

    /** The same route, already checked and compiled, with another payload. */
    private RouteSpec(RouteSpec<?> parsed, T payload) {
        this.id = parsed.id;
        this.payload = requireNonNull(payload, "payload");
        this.uris = parsed.uris;
        this.hosts = parsed.hosts;
        this.methods = parsed.methods;
        this.remoteAddrs = parsed.remoteAddrs;
        this.vars = parsed.vars;
        this.priority = parsed.priority;
        this.patterns = parsed.patterns;
        this.methodBits = parsed.methodBits;
        this.exactHosts = parsed.exactHosts;
        this.hostSuffixes = parsed.hostSuffixes;
        this.checksHost = parsed.checksHost;
        this.remoteAddrMatcher = parsed.remoteAddrMatcher;
        this.conditional = parsed.conditional;
    }

    /**
     * This route with {@code payload} instead of its own, sharing everything already parsed and
     * compiled (all of it immutable): what a config change costs for a route whose match fields
     * did not change.
     */
    public <U> RouteSpec<U> withPayload(U payload) {
        return new RouteSpec<>(this, payload);
    }

    /** Starts a route with its id (unique within a router) and the payload a match returns. */
    public static <T> Builder<T> builder(String id, T payload) {
        return new Builder<>(id, payload);
    }

    /** The route id, as {@link Match#routeId()} reports it. */
    public String id() {
        return id;
    }

    /** What a match of this route hands back. */
    public T payload() {
        return payload;
    }

    /** The uris, in order, without duplicates. */
    public List<String> uris() {
        return uris;
    }

    /**
     * Host names, {@code *.foo.com} wildcards among them; empty means any host. Compared with the
     * request host as given (radixtree's use of {@code $http_host} for patterns with a port is
     * not reproduced).
     */
    public List<String> hosts() {
        return hosts;
    }

    /** Methods; empty means any method. */
    public List<String> methods() {
        return methods;
    }

    /** Client addresses and CIDRs; empty means any client. */
    public List<String> remoteAddrs() {
        return remoteAddrs;
    }

    /** The {@code vars} condition, or {@code null} for none. */
    public @Nullable Expr vars() {
        return vars;
    }

    /** Higher wins among routes whose uris have the same key; default 0. */
    public int priority() {
        return priority;
    }

    List<PathPattern> patterns() {
        return patterns;
    }

    /** Whether {@link #accepts} can return false. */
    boolean conditional() {
        return conditional;
    }

    /**
     * Whether the request passes this route's conditions other than the uri. The cheap checks
     * come first; {@code vars} last, since it reads variables.
     */
    boolean accepts(int methodBit, @Nullable String host, @Nullable String remoteAddr, VarSource variables) {
        if (methodBits != 0 && (methodBits & methodBit) == 0) {
            return false;
        }
        if (checksHost && !acceptsHost(host)) {
            return false;
        }
        if (remoteAddrMatcher != null
                && !remoteAddrMatcher.contains(remoteAddr != null ? remoteAddr : variables.var("remote_addr"))) {
            return false;
        }
        return vars == null || vars.test(variables);
    }

    private boolean acceptsHost(@Nullable String host) {
        if (host == null) {
            return false;
        }
        for (String exact : exactHosts) {
            if (exact.equalsIgnoreCase(host)) {
                return true;
            }
        }
        int length = host.length();
        for (String suffix : hostSuffixes) {
            int from = length - suffix.length();
            if (from >= 0 && host.regionMatches(true, from, suffix, 0, suffix.length())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "RouteSpec{id=" + id + ", uris=" + uris + ", priority=" + priority + "}";
    }

    private static List<PathPattern> parseUris(List<String> uris) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("uris: [] (expected at least one path, such as"
                    + " /api/* or /user/:id)");
        }
        List<PathPattern> patterns = new ArrayList<>(uris.size());
        for (int i = 0; i < uris.size(); i++) {
            String uri = uris.get(i);
            try {
                patterns.add(PathPattern.parse(uri));
            } catch (IllegalArgumentException e) {
                String message = "uris[" + i + "]: \"" + uri + "\" (" + e.getMessage() + ")";
                throw new IllegalArgumentException(message, e);
            }
        }
        return List.copyOf(patterns);
    }

    private static List<PathPattern> distinct(List<PathPattern> patterns) {
        Set<String> seen = new HashSet<>();
        return patterns.stream().filter(p -> seen.add(p.uri())).toList();
    }

    private static int methodBits(List<String> methods) {
        int bits = 0;
        for (int i = 0; i < methods.size(); i++) {
            int bit = HttpMethods.bit(methods.get(i));
            if (bit == 0) {
                throw new IllegalArgumentException("methods[" + i + "]: \"" + methods.get(i)
                        + "\" (expected one of " + String.join(", ", HttpMethods.NAMES) + ")");
            }
            bits |= bit;
        }
        return bits;
    }

    private static void checkHosts(List<String> hosts) {
        for (int i = 0; i < hosts.size(); i++) {
            if (!HOST.matcher(hosts.get(i)).matches()) {
                throw new IllegalArgumentException("hosts[" + i + "]: \"" + hosts.get(i)
                        + "\" (expected a host name, optionally starting with *, such as foo.com"
                        + " or *.foo.com, or * for any host)");
            }
        }
    }

    private static IpSet ipMatcher(List<String> remoteAddrs) {
        try {
            return IpSet.of(remoteAddrs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("remote_addrs" + e.getMessage(), e);
        }
    }

    /**
     * Collects a route's fields; {@link #build} checks and compiles them.
     *
     * @param <T> the payload type
     */
    public static final class Builder<T> {
        private final String id;
        private final T payload;
        private List<String> uris = List.of();
        private List<String> hosts = List.of();
        private List<String> methods = List.of();
        private List<String> remoteAddrs = List.of();
        private @Nullable Expr vars;
        private int priority;

        private Builder(String id, T payload) {
            requireNonNull(id, "id");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("id: \"\" (expected a non-empty route id)");
            }
            this.id = id;
            this.payload = requireNonNull(payload, "payload");
        }

        /** Paths: exact {@code /a/b}, prefix {@code /a/*}, parameters {@code /user/:id}. */
        public Builder<T> uris(String... uris) {
            return uris(Arrays.asList(uris));
        }

        /** Same as {@link #uris(String...)}. */
        public Builder<T> uris(List<String> uris) {
            this.uris = copy(uris, "uris");
            return this;
        }

        /** Host names, exact or {@code *.foo.com}; case-insensitive. None means any host. */
        public Builder<T> hosts(String... hosts) {
            return hosts(Arrays.asList(hosts));
        }

        /** Same as {@link #hosts(String...)}. */
        public Builder<T> hosts(List<String> hosts) {
            this.hosts = copy(hosts, "hosts");
            return this;
        }

        /** HTTP methods ({@code GET}, {@code POST}, ...). None means any method. */
        public Builder<T> methods(String... methods) {
            return methods(Arrays.asList(methods));
        }

        /** Same as {@link #methods(String...)}. */
        public Builder<T> methods(List<String> methods) {
            this.methods = copy(methods, "methods");
            return this;
        }

        /** Client IPv4/IPv6 addresses and CIDRs. None means any client. */
        public Builder<T> remoteAddrs(String... remoteAddrs) {
            return remoteAddrs(Arrays.asList(remoteAddrs));
        }

        /** Same as {@link #remoteAddrs(String...)}. */
        public Builder<T> remoteAddrs(List<String> remoteAddrs) {
            this.remoteAddrs = copy(remoteAddrs, "remote_addrs");
            return this;
        }

        /** A {@code vars} condition, or {@code null} for none. */
        public Builder<T> vars(@Nullable Expr vars) {
            this.vars = vars;
            return this;
        }

        /** Order among routes with the same uri key: higher first. Default 0. */
        public Builder<T> priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * The route.
         *
         * @throws IllegalArgumentException naming the first bad field, as
         *     {@code uris[1]: "/a/*}{@code /b" (expected '*' only at the end, ...)}
         */
        public RouteSpec<T> build() {
            return new RouteSpec<>(this);
        }

        private static List<String> copy(List<String> values, String name) {
            requireNonNull(values, name);
            for (int i = 0; i < values.size(); i++) {
                requireNonNull(values.get(i), name + "[" + i + "]");
            }
            return List.copyOf(values);
        }
    }
}
