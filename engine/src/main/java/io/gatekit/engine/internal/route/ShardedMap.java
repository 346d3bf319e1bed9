package io.gatekit.engine.internal.route;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable hash map whose {@link #with} and {@link #without} return a changed copy in time
 * proportional to the square root of its size rather than its size: entries are spread over
 * about √n shards, each a {@link HashMap} never modified once built, and a change copies one
 * shard and the array of shards, sharing the rest. A lookup is one array load more than a
 * {@code HashMap}'s. This is what lets one config change among 10,000 routes avoid copying
 * every route. No iteration order; keys and values are never {@code null}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class ShardedMap<K, V> {

    private static final int MIN_BITS = 4;
    @SuppressWarnings("rawtypes")
    private static final ShardedMap EMPTY = of(Map.of());

    private final HashMap<K, V>[] shards;
    private final int shift;
    private final int size;

    private ShardedMap(HashMap<K, V>[] shards, int size) {
        this.shards = shards;
        this.shift = 32 - Integer.numberOfTrailingZeros(shards.length);
        this.size = size;
    }

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <K, V> ShardedMap<K, V> empty() {
        return EMPTY;
    }

    /** A map of the entries of {@code map}. */
    @SuppressWarnings("unchecked")
    public static <K, V> ShardedMap<K, V> of(Map<? extends K, ? extends V> map) {
        int bits = bitsFor(map.size());
        HashMap<K, V>[] shards = new HashMap[1 << bits];
        int shift = 32 - bits;
        for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
            int index = index(requireNonNull(e.getKey(), "key"), shift);
            if (shards[index] == null) {
                shards[index] = new HashMap<>();
            }
            shards[index].put(e.getKey(), requireNonNull(e.getValue(), "value"));
        }
        HashMap<K, V> none = new HashMap<>(1);
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] == null) {
                shards[i] = none; // shared, and like every shard never modified
            }
        }
        return new ShardedMap<>(shards, map.size());
    }

    /** The value for {@code key}, or {@code null}. */
    public @Nullable V get(Object key) {
        return shards[index(key, shift)].get(key);
    }

    /** Whether {@code key} has a value. */
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /** How many entries. */
    public int size() {
        return size;
    }

    /** A map like this one with {@code key} mapped to {@code value}. */
    public ShardedMap<K, V> with(K key, V value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        int index = index(key, shift);
        HashMap<K, V> shard = shards[index];
        boolean grows = !shard.containsKey(key);
        if (grows && bitsFor(size + 1) != Integer.numberOfTrailingZeros(shards.length)) {
            Map<K, V> all = toMap();
            all.put(key, value);
            return of(all);
        }
        HashMap<K, V> copy = new HashMap<>(shard);
        copy.put(key, value);
        HashMap<K, V>[] newShards = shards.clone();
        newShards[index] = copy;
        return new ShardedMap<>(newShards, grows ? size + 1 : size);
    }

    /** A map like this one without {@code key}; this map if it has no such key. */
    public ShardedMap<K, V> without(Object key) {
        int index = index(key, shift);
        HashMap<K, V> shard = shards[index];
        if (!shard.containsKey(key)) {
            return this;
        }
        HashMap<K, V> copy = new HashMap<>(shard);
        copy.remove(key);
        HashMap<K, V>[] newShards = shards.clone();
        newShards[index] = copy;
        return new ShardedMap<>(newShards, size - 1);
    }

    /** Calls {@code action} for every entry, in no particular order. */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        for (HashMap<K, V> shard : shards) {
            shard.forEach(action);
        }
    }

    /** A mutable copy of every entry. */
    public Map<K, V> toMap() {
        Map<K, V> all = new HashMap<>(size * 2);
        for (HashMap<K, V> shard : shards) {
            all.putAll(shard);
        }
        return all;
    }

    /** About √n shards, at least 16: a change copies about √n entries and √n references. */
    private static int bitsFor(int size) {
        int bits = MIN_BITS;
        while ((1L << (2 * bits)) < size) {
            bits++;
        }
        return bits;
    }

    /** The top bits of a multiplicative hash, so that a shard's keys still spread over its own table. */
    private static int index(Object key, int shift) {
        return (key.hashCode() * 0x9E3779B9) >>> shift;
    }
}
