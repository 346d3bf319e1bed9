package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Hides secrets in a resource before it is shown: an ssl's private keys are left out, and a
 * consumer's plugin fields that the plugin declares secret read {@value #REDACTED}.
 */
final class SecretRedaction {

    /** What a secret field shows instead of its value. */
    static final String REDACTED = "******";

    private final PluginRegistry registry;

    SecretRedaction(PluginRegistry registry) {
        this.registry = registry;
    }

    /** See {@link io.gatekit.engine.Engine#redact}. */
    Resource redact(Resource resource) {
        if (resource.kind() == ResourceKind.SSLS) {
            ObjectNode value = (ObjectNode) ResourceJson.parseBody(resource.json());
            value.remove(List.of("key", "keys"));
            return new Resource(resource.kind(), resource.id(), value.toString(), resource.createdIndex(),
                    resource.modifiedIndex());
        }
        if (resource.kind() != ResourceKind.CONSUMERS) {
            return resource;
        }
        JsonNode value = ResourceJson.parseBody(resource.json());
        JsonNode plugins = value.get("plugins");
        if (plugins == null || !plugins.isObject()) {
            return resource;
        }
        boolean changed = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = plugins.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> plugin = it.next();
            RegisteredPlugin registered = registry.get(plugin.getKey());
            if (registered == null || !(plugin.getValue() instanceof ObjectNode conf)) {
                continue;
            }
            for (String field : registered.factory().secretFields()) {
                if (conf.has(field)) {
                    conf.put(field, REDACTED);
                    changed = true;
                }
            }
        }
        return changed ? new Resource(resource.kind(), resource.id(), value.toString(), resource.createdIndex(),
                resource.modifiedIndex()) : resource;
    }
}
