package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.internal.route.ShardedMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored config: every resource by kind and id, each with its store revisions. Immutable; a
 * change makes a new state that shares the untouched kinds, and most of the changed kind, with
 * the old one, so one change among 10,000 routes does not copy them all.
 */
final class ConfigState {

    /**
     * One stored resource.
     *
     * @param id            its id
     * @param value         the JSON as stored (validated; {@code id}, times included)
     * @param createdIndex  revision that created it
     * @param modifiedIndex revision that last changed it
     */
    public record Stored(String id, JsonNode value, long createdIndex, long modifiedIndex) {
    }

    private static final ConfigState EMPTY = new ConfigState(new EnumMap<>(ResourceKind.class), 0);

    private final EnumMap<ResourceKind, Table> byKind;
    private final long revision;

    private ConfigState(EnumMap<ResourceKind, Table> byKind, long revision) {
        this.byKind = byKind;
        this.revision = revision;
    }

    /** No resources, revision 0. */
    public static ConfigState empty() {
        return EMPTY;
    }

    /** The latest store revision. */
    public long revision() {
        return revision;
    }

    /** All resources of {@code kind}, in insertion order. Costs a sort the first time after a change. */
    public Map<String, Stored> all(ResourceKind kind) {
        Table table = byKind.get(kind);
        return table == null ? Map.of() : table.ordered();
    }

    /** One resource, or {@code null}. */
    public @Nullable Stored get(ResourceKind kind, String id) {
        Table table = byKind.get(kind);
        if (table == null) {
            return null;
        }
        Slot slot = table.byId.get(id);
        return slot == null ? null : slot.stored;
    }

    /** A new state with {@code value} stored under {@code id} at the next revision. */
    public ConfigState put(ResourceKind kind, String id, JsonNode value) {
        long next = revision + 1;
        Stored old = get(kind, id);
        Stored stored = new Stored(id, value, old == null ? next : old.createdIndex(), next);
        EnumMap<ResourceKind, Table> copy = new EnumMap<>(byKind);
        copy.put(kind, table(kind).with(stored));
        return new ConfigState(copy, next);
    }

    /** A new state without {@code id}, or this state when it is absent. */
    public ConfigState remove(ResourceKind kind, String id) {
        if (get(kind, id) == null) {
            return this;
        }
        EnumMap<ResourceKind, Table> copy = new EnumMap<>(byKind);
        copy.put(kind, table(kind).without(id));
        return new ConfigState(copy, revision + 1);
    }

    /** A new state holding exactly {@code resources}, all stored at the next revision. */
    public ConfigState replaceAll(Map<ResourceKind, Map<String, JsonNode>> resources) {
        long next = revision + 1;
        EnumMap<ResourceKind, Table> copy = new EnumMap<>(ResourceKind.class);
        resources.forEach((kind, values) -> {
            Map<String, Stored> map = new LinkedHashMap<>();
            values.forEach((id, value) -> {
                Stored old = get(kind, id);
                boolean same = old != null && old.value().equals(value);
                map.put(id, same ? old : new Stored(id, value, old == null ? next : old.createdIndex(), next));
            });
            copy.put(kind, Table.of(map));
        });
        return new ConfigState(copy, next);
    }

    /**
     * A new state with {@code stored} as a store outside the engine gave it, its revisions kept, at
     * store revision {@code revision}.
     */
    public ConfigState putStored(ResourceKind kind, Stored stored, long revision) {
        EnumMap<ResourceKind, Table> copy = new EnumMap<>(byKind);
        copy.put(kind, table(kind).with(stored));
        return new ConfigState(copy, revision);
    }

    /** A new state without {@code id}, at store revision {@code revision}. */
    public ConfigState removeAt(ResourceKind kind, String id, long revision) {
        EnumMap<ResourceKind, Table> copy = new EnumMap<>(byKind);
        copy.put(kind, table(kind).without(id));
        return new ConfigState(copy, revision);
    }

    /** This state's resources at store revision {@code revision}. */
    public ConfigState atRevision(long revision) {
        return new ConfigState(byKind, revision);
    }

    private Table table(ResourceKind kind) {
        Table table = byKind.get(kind);
        return table == null ? Table.EMPTY : table;
    }

    /** A resource and its place in insertion order. */
    private record Slot(Stored stored, long order) {
    }

    /**
     * The resources of one kind. A change copies a small part of it ({@link ShardedMap}), not
     * all of it; the insertion-ordered view is built when first asked for.
     */
    private static final class Table {
        static final Table EMPTY = new Table(ShardedMap.empty(), 0, Map.of());

        final ShardedMap<String, Slot> byId;
        final long nextOrder;
        private volatile @Nullable Map<String, Stored> ordered;

        private Table(ShardedMap<String, Slot> byId, long nextOrder, @Nullable Map<String, Stored> ordered) {
            this.byId = byId;
            this.nextOrder = nextOrder;
            this.ordered = ordered;
        }

        static Table of(Map<String, Stored> inOrder) {
            Map<String, Slot> slots = new HashMap<>(inOrder.size() * 2);
            long order = 0;
            for (Stored stored : inOrder.values()) {
                slots.put(stored.id(), new Slot(stored, order++));
            }
            return new Table(ShardedMap.of(slots), order, Collections.unmodifiableMap(inOrder));
        }

        /** As a LinkedHashMap's put: a new id goes last, a known one keeps its place. */
        Table with(Stored stored) {
            Slot old = byId.get(stored.id());
            Slot slot = new Slot(stored, old == null ? nextOrder : old.order());
            return new Table(byId.with(stored.id(), slot), old == null ? nextOrder + 1 : nextOrder, null);
        }

        Table without(String id) {
            return new Table(byId.without(id), nextOrder, null);
        }

        Map<String, Stored> ordered() {
            Map<String, Stored> view = ordered;
            if (view == null) {
                List<Slot> slots = new ArrayList<>(byId.size());
                byId.forEach((id, slot) -> slots.add(slot));
                slots.sort(Comparator.comparingLong(Slot::order));
                Map<String, Stored> map = new LinkedHashMap<>(slots.size() * 2);
                slots.forEach(slot -> map.put(slot.stored().id(), slot.stored()));
                view = Collections.unmodifiableMap(map);
                ordered = view;
            }
            return view;
        }
    }
}
