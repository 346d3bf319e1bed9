package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ResourceKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored config: every resource by kind and id, each with its store revisions. Immutable; a
 * change makes a new state that shares the untouched maps with the old one.
 */
public final class ConfigState {

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

    private final EnumMap<ResourceKind, Map<String, Stored>> byKind;
    private final long revision;

    private ConfigState(EnumMap<ResourceKind, Map<String, Stored>> byKind, long revision) {
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

    /** All resources of {@code kind}, in insertion order. */
    public Map<String, Stored> all(ResourceKind kind) {
        Map<String, Stored> map = byKind.get(kind);
        return map == null ? Map.of() : map;
    }

    /** One resource, or {@code null}. */
    public @Nullable Stored get(ResourceKind kind, String id) {
        return all(kind).get(id);
    }

    /** A new state with {@code value} stored under {@code id} at the next revision. */
    public ConfigState put(ResourceKind kind, String id, JsonNode value) {
        long next = revision + 1;
        Stored old = get(kind, id);
        Stored stored = new Stored(id, value, old == null ? next : old.createdIndex(), next);
        return with(kind, id, stored, next);
    }

    /** A new state without {@code id}, or this state when it is absent. */
    public ConfigState remove(ResourceKind kind, String id) {
        if (get(kind, id) == null) {
            return this;
        }
        return with(kind, id, null, revision + 1);
    }

    /** A new state holding exactly {@code resources}, all stored at the next revision. */
    public ConfigState replaceAll(Map<ResourceKind, Map<String, JsonNode>> resources) {
        long next = revision + 1;
        EnumMap<ResourceKind, Map<String, Stored>> copy = new EnumMap<>(ResourceKind.class);
        resources.forEach((kind, values) -> {
            Map<String, Stored> map = new LinkedHashMap<>();
            values.forEach((id, value) -> {
                Stored old = get(kind, id);
                boolean same = old != null && old.value().equals(value);
                map.put(id, same ? old : new Stored(id, value, old == null ? next : old.createdIndex(), next));
            });
            copy.put(kind, Collections.unmodifiableMap(map));
        });
        return new ConfigState(copy, next);
    }

    /**
     * A new state with {@code stored} as a store outside the engine gave it, its revisions kept, at
     * store revision {@code revision}.
     */
    public ConfigState putStored(ResourceKind kind, Stored stored, long revision) {
        return with(kind, stored.id(), stored, revision);
    }

    /** A new state without {@code id}, at store revision {@code revision}. */
    public ConfigState removeAt(ResourceKind kind, String id, long revision) {
        return with(kind, id, null, revision);
    }

    /** This state's resources at store revision {@code revision}. */
    public ConfigState atRevision(long revision) {
        return new ConfigState(byKind, revision);
    }

    private ConfigState with(ResourceKind kind, String id, @Nullable Stored stored, long next) {
        EnumMap<ResourceKind, Map<String, Stored>> copy = new EnumMap<>(byKind);
        Map<String, Stored> map = new LinkedHashMap<>(all(kind));
        if (stored == null) {
            map.remove(id);
        } else {
            map.put(id, stored);
        }
        copy.put(kind, Collections.unmodifiableMap(map));
        return new ConfigState(copy, next);
    }
}
