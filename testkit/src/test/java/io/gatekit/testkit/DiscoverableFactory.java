package io.gatekit.testkit;

import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plugin as ServiceLoader needs it (public, with a public no-argument constructor), listed in a
 * services file that only a test's class loader sees, so other tests are not affected by it.
 */
public final class DiscoverableFactory implements PluginFactory<TestPlugins.Empty> {

    /** For ServiceLoader. */
    public DiscoverableFactory() {
    }

    /** Writes {@code META-INF/services/io.gatekit.api.PluginFactory} listing this class under {@code dir}. */
    static void listIn(Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services/" + PluginFactory.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, DiscoverableFactory.class.getName() + "\n");
    }

    /** A loader that sees {@code dir} and, through its parent, this class. */
    static URLClassLoader loaderFor(Path dir) throws IOException {
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, DiscoverableFactory.class.getClassLoader());
    }

    @Override
    public String name() {
        return "discoverable";
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public String configSchema() {
        return TestPlugins.EMPTY_SCHEMA;
    }

    @Override
    public Class<TestPlugins.Empty> configType() {
        return TestPlugins.Empty.class;
    }

    @Override
    public Plugin create(TestPlugins.Empty config, PluginContext context) {
        return new Plugin() {
            @Override
            public io.gatekit.api.Outcome access(io.gatekit.api.http.Exchange exchange) {
                return io.gatekit.api.Outcome.proceed();
            }
        };
    }
}
