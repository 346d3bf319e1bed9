package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

/**
 * One stored config object, as the Admin API shows it.
 *
 * @param kind          what it is
 * @param id            its id
 * @param json          its value as JSON text, including {@code id}, {@code create_time} and {@code update_time}
 * @param createdIndex  the store revision that created it
 * @param modifiedIndex the store revision that last changed it
 */
public record Resource(ResourceKind kind, String id, String json, long createdIndex, long modifiedIndex) {

    public Resource {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
        requireNonNull(json, "json");
    }

    /** The store key, e.g. {@code /apisix/routes/1}. */
    public String key() {
        return kind.storeKey(id);
    }
}
