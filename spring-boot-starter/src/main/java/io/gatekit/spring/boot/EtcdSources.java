package io.gatekit.spring.boot;

import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import java.util.Optional;

/** The etcd config source, in its own class so that the starter loads without gatekit-config-etcd. */
final class EtcdSources {

    private static final String SOURCE = "io.gatekit.config.etcd.EtcdConfigSource";

    private EtcdSources() {
    }

    static ConfigSource of(GatekitProperties.Etcd etcd) {
        try {
            Class.forName(SOURCE, false, EtcdSources.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("gatekit.etcd.endpoints: " + etcd.endpoints()
                    + " (expected: io.gatekit:gatekit-config-etcd on the class path)", e);
        }
        return Etcd.build(etcd);
    }

    /** The etcd source's last refused value, when {@code source} is one. */
    static Optional<ConfigException> lastRejection(ConfigSource source) {
        return source.getClass().getName().equals(SOURCE) ? Etcd.lastRejection(source) : Optional.empty();
    }

    /** Touches the etcd classes only once they are known to be there. */
    private static final class Etcd {
        static Optional<ConfigException> lastRejection(ConfigSource source) {
            return ((io.gatekit.config.etcd.EtcdConfigSource) source).lastRejection();
        }

        static ConfigSource build(GatekitProperties.Etcd etcd) {
            return io.gatekit.config.etcd.EtcdConfigSource.builder()
                    .endpoints(etcd.endpoints())
                    .prefix(etcd.prefix())
                    .timeout(etcd.timeout())
                    .build();
        }
    }
}
