package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin compiled into its own jar, which this module has never seen, is found by
 * ServiceLoader and runs: the way users ship plugins.
 */
class ServiceLoaderDiscoveryTest {

    private static final String SOURCE = """
            package thirdparty;

            import io.gatekit.api.*;
            import io.gatekit.api.http.Exchange;

            public final class TeapotFactory implements PluginFactory<TeapotFactory.Config> {
                public record Config(int status) {}
                public String name() { return "teapot"; }
                public int priority() { return 7; }
                public String configSchema() {
                    return "{\\"type\\":\\"object\\",\\"properties\\":{\\"status\\":{\\"type\\":\\"integer\\",\\"default\\":418}}}";
                }
                public Class<Config> configType() { return Config.class; }
                public Plugin create(Config config, PluginContext context) {
                    return new Plugin() {
                        public Outcome access(Exchange exchange) { return Outcome.respond(config.status()); }
                    };
                }
            }
            """;

    @Test
    void aPluginInASeparateJarIsFoundAndRuns(@TempDir Path dir) throws Exception {
        Path jar = buildPluginJar(dir);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
                Engine engine = Engine.builder().discoverPlugins(loader).build()) {
            assertTrue(engine.plugin("teapot").isPresent(), engine.plugins().toString());
            assertEquals("thirdparty.TeapotFactory", engine.plugin("teapot").get().factoryClass());

            engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/tea\", \"plugins\": {\"teapot\": {}}}");
            Call call = engine.newCall(HttpRequest.builder().uri("/tea").build());
            Outcome outcome = call.runRequestPhases();
            call.complete();

            assertEquals(418, outcome.response().status());
        }
    }

    private static Path buildPluginJar(Path dir) throws IOException {
        Path src = dir.resolve("src/thirdparty/TeapotFactory.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "javac failed");
        Path jar = dir.resolve("teapot-plugin.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                jos.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                jos.write(Files.readAllBytes(file));
                jos.closeEntry();
            }
            jos.putNextEntry(new JarEntry("META-INF/services/io.gatekit.api.PluginFactory"));
            jos.write("thirdparty.TeapotFactory\n".getBytes(StandardCharsets.UTF_8));
            jos.closeEntry();
        }
        return jar;
    }

    @Test
    void nothingIsDiscoveredWithoutAskingForDiscovery() {
        try (Engine engine = Engine.builder().build()) {
            assertEquals(List.of(), engine.plugins());
        }
    }
}
