package io.gatekit.config.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * APISIX's key layout under a prefix: {@code <prefix>/<kind>/<id>} to and from the resource it
 * holds. Keys of other directories ({@code gen_id}, kinds Gatekit does not serve) name nothing.
 */
final class EtcdKeys {

    private static final System.Logger LOG = System.getLogger(EtcdConfigSource.class.getName());

    private final String prefix;
    private final Set<String> ignoredDirectories = ConcurrentHashMap.newKeySet();

    EtcdKeys(String prefix) {
        this.prefix = prefix;
    }

    record Key(ResourceKind kind, String id) {
    }

    String key(ResourceKind kind, String id) {
        return prefix + "/" + kind.path() + "/" + id;
    }

    /** The resource a key names, or {@code null} for keys Gatekit does not know (logged once a directory). */
    @Nullable Key key(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        if (!key.startsWith(prefix + "/")) {
            return null;
        }
        String rest = key.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        String directory = slash < 0 ? rest : rest.substring(0, slash);
        ResourceKind kind = ResourceKind.ofPath(directory);
        if (kind == null) {
            if (!directory.equals("gen_id") && ignoredDirectories.add(directory)) {
                LOG.log(Level.INFO, "ignoring etcd keys under " + prefix + "/" + directory
                        + "/ (not a resource kind Gatekit serves)");
            }
            return null;
        }
        String id = slash < 0 ? "" : rest.substring(slash + 1);
        // APISIX creates "<prefix>/routes/" placeholders (no id); deeper paths are not resources
        if (id.isEmpty() || id.indexOf('/') >= 0) {
            return null;
        }
        return new Key(kind, id);
    }

    @Nullable Resource resource(KeyValue kv) {
        Key key = key(kv);
        if (key == null) {
            return null;
        }
        return new Resource(key.kind(), key.id(), kv.getValue().toString(StandardCharsets.UTF_8),
                kv.getCreateRevision(), kv.getModRevision());
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
