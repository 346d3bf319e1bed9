package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Upstream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Picks upstream nodes for one upstream config: smooth weighted round robin (nginx's algorithm)
 * or consistent hashing. Nodes of a lower {@code priority} are tried only after every node of
 * a higher one. Thread-safe; shared by all event loops.
 */
public abstract class Balancer {

    /** Nodes with weight &gt; 0, highest priority first. */
    final List<Upstream.Node> nodes;

    Balancer(Upstream upstream) {
        List<Upstream.Node> usable = new ArrayList<>();
        for (Upstream.Node node : upstream.nodes()) {
            if (node.weight() > 0) {
                usable.add(node);
            }
        }
        usable.sort(Comparator.comparingInt(Upstream.Node::priority).reversed());
        this.nodes = List.copyOf(usable);
    }

    static Balancer of(Upstream upstream) {
        return "chash".equals(upstream.type()) ? new ConsistentHash(upstream) : new RoundRobin(upstream);
    }

    /**
     * The nodes to try for {@code exchange}, first choice first: the balancer's pick, then the
     * others of the same priority, then lower priorities. Empty when the upstream has no usable node.
     */
    public abstract List<Upstream.Node> order(Exchange exchange);

    /** First choice, then every other node in priority order. */
    final List<Upstream.Node> startingWith(Upstream.@Nullable Node first) {
        if (first == null || first == nodes.get(0)) {
            return nodes; // already in that order: no list to build
        }
        List<Upstream.Node> order = new ArrayList<>(nodes.size());
        order.add(first);
        for (Upstream.Node node : nodes) {
            if (node != first) {
                order.add(node);
            }
        }
        return order;
    }

    /** Smooth weighted round robin over the highest-priority nodes. */
    static final class RoundRobin extends Balancer {
        private final int[] current;
        private final int top;
        private final int total;

        RoundRobin(Upstream upstream) {
            super(upstream);
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
            this.current = new int[count];
        }

        @Override
        public List<Upstream.Node> order(Exchange exchange) {
            if (nodes.size() <= 1) {
                return nodes; // nothing to choose: no lock, no list
            }
            return startingWith(next());
        }

        private synchronized Upstream.Node next() {
            int best = 0;
            for (int i = 0; i < top; i++) {
                current[i] += nodes.get(i).weight();
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            return nodes.get(best);
        }
    }

    /** Consistent hashing on a request variable, header or cookie, with 160 points per weight unit. */
    static final class ConsistentHash extends Balancer {
        private final TreeMap<Long, Upstream.Node> ring = new TreeMap<>();
        private final String hashOn;
        private final @Nullable String key;

        ConsistentHash(Upstream upstream) {
            super(upstream);
            this.hashOn = upstream.hashOn();
            this.key = upstream.key();
            for (Upstream.Node node : nodes) {
                int points = 160 * Math.max(1, node.weight());
                for (int i = 0; i < points; i++) {
                    ring.put(hash(node.address() + "#" + i), node);
                }
            }
        }

        @Override
        public List<Upstream.Node> order(Exchange exchange) {
            if (nodes.isEmpty()) {
                return nodes;
            }
            String value = value(exchange);
            var entry = ring.ceilingEntry(hash(value == null ? "" : value));
            return startingWith(entry != null ? entry.getValue() : ring.firstEntry().getValue());
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
