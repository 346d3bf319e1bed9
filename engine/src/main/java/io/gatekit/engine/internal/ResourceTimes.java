package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.internal.ConfigState.Stored;

/**
 * The {@code create_time} and {@code update_time} the engine keeps on a resource written through
 * it (in seconds, as APISIX), with the id of the path written into the value.
 */
final class ResourceTimes {

    private ResourceTimes() {
    }

    private static boolean timestampOrAbsent(@Nullable JsonNode time) {
        return time == null || time.isIntegralNumber();
    }

    static JsonNode withTimes(ResourceKind kind, String id, JsonNode value, @Nullable Stored old) {
        if (!value.isObject()) {
            return value;
        }
        ObjectNode copy = ((ObjectNode) value).deepCopy();
        long now = System.currentTimeMillis() / 1000;
        copy.put("id", id);
        // the engine keeps the times; one sent that is not even an integer is left for the schema
        // to refuse, as APISIX refuses it ("create_time": "yesterday" is no timestamp)
        if (timestampOrAbsent(value.get("create_time"))) {
            copy.put("create_time", old == null ? now : old.value().path("create_time").asLong(now));
        }
        if (timestampOrAbsent(value.get("update_time"))) {
            copy.put("update_time", now);
        }
        return copy;
    }
}
