package io.gatekit.config.etcd;

import io.gatekit.engine.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values in etcd the engine refused, by key, each kept until its key holds a good value or is
 * deleted: one bad key stays refused however many other keys change after it.
 */
final class Rejections {

    private final Map<String, ConfigException> byKey = new LinkedHashMap<>();

    /** {@code key} ({@code /apisix/routes/1}) was refused; the violations are put under its path. */
    synchronized void refused(String key, ConfigException e) {
        String path = key.startsWith("/apisix/") ? key.substring("/apisix".length()) : key;
        byKey.remove(key);
        byKey.put(key, new ConfigException(e.status(), e.errorMsg(),
                e.violations().stream().map(v -> v.under(path)).toList()));
    }

    /** {@code key} now holds a good value, or none. */
    synchronized void cleared(String key) {
        byKey.remove(key);
    }

    /** A whole reload: what it refused replaces everything known before. */
    synchronized void reloaded(Map<String, ConfigException> rejected) {
        byKey.clear();
        rejected.forEach(this::refused);
    }

    /** The most recent refusal still standing. */
    synchronized Optional<ConfigException> last() {
        return byKey.isEmpty() ? Optional.empty() : Optional.of(new ArrayList<>(byKey.values()).get(byKey.size() - 1));
    }
}
