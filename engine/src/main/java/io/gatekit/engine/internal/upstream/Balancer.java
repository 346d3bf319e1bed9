package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Upstream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Picks upstream nodes for one upstream config: smooth weighted round robin (nginx's algorithm)
 * or consistent hashing. Nodes of a lower {@code priority} are tried only after every node of
 * a higher one. With health checks, unhealthy nodes leave the choice until they recover; when
 * every node is unhealthy, all of them are used (APISIX's balancer: "all upstream nodes is
 * unhealthy, use default"). Thread-safe; shared by all event loops.
 */
public abstract class Balancer {

    /** Nodes with weight &gt; 0, highest priority first. */
    final List<Upstream.Node> nodes;
    /** Each node's health, aligned with {@link #nodes}; {@code null} without checks. */
    private final TargetHealth @Nullable [] targets;
    private final @Nullable UpstreamHealth health;

    Balancer(Upstream upstream, @Nullable UpstreamHealth health) {
        List<Upstream.Node> usable = new ArrayList<>();
        for (Upstream.Node node : upstream.nodes()) {
            if (node.weight() > 0) {
                usable.add(node);
            }
        }
        usable.sort(Comparator.comparingInt(Upstream.Node::priority).reversed());
        this.nodes = List.copyOf(usable);
        this.health = health;
        this.targets = health == null ? null : nodes.stream().map(health::targetOf).toArray(TargetHealth[]::new);
    }

    /**
     * The order every request gets when {@code upstream} has exactly one usable node (weight
     * &gt; 0): that node, whatever the balancer type and whatever its health, since a balancer
     * whose every node is unhealthy uses them all. {@code null} when there is a choice to make,
     * or no node to choose. A route keeps it, so its requests skip the balancer.
     */
    public static @Nullable List<Upstream.Node> soleNodeOrder(Upstream upstream) {
        Upstream.Node sole = null;
        for (Upstream.Node node : upstream.nodes()) {
            if (node.weight() > 0) {
                if (sole != null) {
                    return null;
                }
                sole = node;
            }
        }
        return sole == null ? null : List.of(sole);
    }

    static Balancer of(Upstream upstream, @Nullable UpstreamHealth health) {
        return "chash".equals(upstream.type()) ? new ConsistentHash(upstream, health)
                : new RoundRobin(upstream, health);
    }

    /**
     * The nodes to try for {@code exchange}, first choice first: the balancer's pick, then the
     * others of the same priority, then lower priorities; healthy nodes only while some node is
     * healthy. Empty when the upstream has no usable node.
     */
    public final List<Upstream.Node> order(Exchange exchange) {
        UpstreamHealth h = health;
        if (h == null || !h.degraded()) {
            return pick(exchange, null); // nothing is down: no filtering, no allocation
        }
        TargetHealth[] all = targets;
        boolean[] up = new boolean[all.length];
        boolean any = false;
        for (int i = 0; i < all.length; i++) {
            up[i] = all[i].healthy();
            any |= up[i];
        }
        return any ? pick(exchange, up) : pick(exchange, null);
    }

    /** The order over the nodes {@code up} marks (all when {@code null}). */
    abstract List<Upstream.Node> pick(Exchange exchange, boolean @Nullable [] up);

    /** First choice, then every other node (that is up) in priority order. */
    final List<Upstream.Node> startingWith(int first, boolean @Nullable [] up) {
        if (up == null && first == 0) {
            return nodes; // already in that order: no list to build
        }
        List<Upstream.Node> order = new ArrayList<>(nodes.size());
        order.add(nodes.get(first));
        for (int i = 0; i < nodes.size(); i++) {
            if (i != first && (up == null || up[i])) {
                order.add(nodes.get(i));
            }
        }
        return order;
    }

    /** Smooth weighted round robin over the highest-priority nodes (that are up). */
    static final class RoundRobin extends Balancer {
        private final int[] current;
        private final int top;
        private final int total;

        RoundRobin(Upstream upstream, @Nullable UpstreamHealth health) {
            super(upstream, health);
            int count = 0;
            int sum = 0;
            for (Upstream.Node node : nodes) {
                if (node.priority() != nodes.get(0).priority()) {
                    break;
                }
                count++;
                sum += node.weight();
            }
            this.top = count;
            this.total = sum;
            this.current = new int[nodes.size()];
        }

        @Override
        List<Upstream.Node> pick(Exchange exchange, boolean @Nullable [] up) {
            if (up == null) {
                if (nodes.size() <= 1) {
                    return nodes; // nothing to choose: no lock, no list
                }
                return startingWith(next(), null);
            }
            return startingWith(next(up), up);
        }

        private synchronized int next() {
            int best = 0;
            for (int i = 0; i < top; i++) {
                current[i] += nodes.get(i).weight();
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            return best;
        }

        /** As {@link #next()}, over the up nodes of the highest priority that has one (nginx skips down peers). */
        private synchronized int next(boolean[] up) {
            int first = 0;
            while (!up[first]) {
                first++;
            }
            int priority = nodes.get(first).priority();
            int best = first;
            int sum = 0;
            for (int i = first; i < nodes.size() && nodes.get(i).priority() == priority; i++) {
                if (!up[i]) {
                    continue;
                }
                current[i] += nodes.get(i).weight();
                sum += nodes.get(i).weight();
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= sum;
            return best;
        }
    }

    /** Consistent hashing on a request variable, header or cookie, with 160 points per weight unit. */
    static final class ConsistentHash extends Balancer {
        /** Points on the ring, each naming a node by its index in {@link #nodes}. */
        private final TreeMap<Long, Integer> ring = new TreeMap<>();
        private final String hashOn;
        private final @Nullable String key;

        ConsistentHash(Upstream upstream, @Nullable UpstreamHealth health) {
            super(upstream, health);
            this.hashOn = upstream.hashOn();
            this.key = upstream.key();
            for (int n = 0; n < nodes.size(); n++) {
                Upstream.Node node = nodes.get(n);
                int points = 160 * Math.max(1, node.weight());
                for (int i = 0; i < points; i++) {
                    ring.put(hash(node.address() + "#" + i), n);
                }
            }
        }

        @Override
        List<Upstream.Node> pick(Exchange exchange, boolean @Nullable [] up) {
            if (nodes.isEmpty()) {
                return nodes;
            }
            String value = value(exchange);
            long point = hash(value == null ? "" : value);
            if (up == null) {
                Map.Entry<Long, Integer> entry = ring.ceilingEntry(point);
                return startingWith(entry != null ? entry.getValue() : ring.firstEntry().getValue(), null);
            }
            // walk the ring from the key's point to the first node that is up (one exists)
            for (int index : ring.tailMap(point, true).values()) {
                if (up[index]) {
                    return startingWith(index, up);
                }
            }
            for (int index : ring.values()) {
                if (up[index]) {
                    return startingWith(index, up);
                }
            }
            return startingWith(0, null);
        }

        private @Nullable String value(Exchange exchange) {
            if (key == null) {
                return exchange.request().remoteIp();
            }
            return switch (hashOn) {
                case "header" -> exchange.request().headers().get(key);
                case "cookie" -> exchange.var("cookie_" + key);
                case "vars_combinations" -> combine(exchange, key);
                default -> exchange.var(key);
            };
        }

        /** {@code $host$uri}-style templates: each {@code $name} replaced by its variable. */
        private static String combine(Exchange exchange, String template) {
            StringBuilder out = new StringBuilder();
            for (String part : template.split("\\$")) {
                if (part.isEmpty()) {
                    continue;
                }
                String value = exchange.var(part);
                out.append(value == null ? "" : value);
            }
            return out.toString();
        }

        private static long hash(String text) {
            CRC32 crc = new CRC32();
            crc.update(text.getBytes(StandardCharsets.UTF_8));
            return crc.getValue();
        }

        @Override
        public String toString() {
            return "ConsistentHash" + Arrays.toString(nodes.toArray());
        }
    }
}
