package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Upstream;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One balancer per upstream config object, dropped with it. Keyed by identity: the engine keeps an
 * unchanged upstream's object across config updates, and a changed one is a new object, so
 * identity says "same config" without the deep {@code hashCode}/{@code equals} of the record.
 * Lookups take no lock (the map is read by every event loop on every request).
 */
final class Balancers {

    private final ConcurrentHashMap<Key, Balancer> balancers = new ConcurrentHashMap<>();
    private final ReferenceQueue<Upstream> collected = new ReferenceQueue<>();

    public Balancer get(Upstream upstream) {
        return get(upstream, null);
    }

    /** The balancer of {@code upstream}, created with {@code health} (its checker's state) the first time. */
    public Balancer get(Upstream upstream, @Nullable UpstreamHealth health) {
        Balancer balancer = balancers.get(new Key(upstream, null));
        if (balancer != null) {
            return balancer;
        }
        expunge();
        // computeIfAbsent: two loops missing at once must share one balancer (its round-robin state)
        return balancers.computeIfAbsent(new Key(upstream, collected), k -> Balancer.of(upstream, health));
    }

    /** How many upstreams hold a balancer; for tests. */
    int size() {
        expunge();
        return balancers.size();
    }

    private void expunge() {
        Reference<? extends Upstream> gone;
        while ((gone = collected.poll()) != null) {
            balancers.remove(gone);
        }
    }

    /** A weak reference to an upstream, equal to another only for the very same live object. */
    private static final class Key extends WeakReference<Upstream> {
        private final int hash;

        Key(Upstream upstream, ReferenceQueue<Upstream> queue) {
            super(upstream, queue);
            this.hash = System.identityHashCode(upstream);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key key)) {
                return false;
            }
            Upstream mine = get();
            return mine != null && mine == key.get();
        }
    }
}
