package io.gatekit.gateway.faults;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The released APISIX Java Plugin Runner (apisix-runner-starter 0.4.0) as the gateway's runner:
 * its {@code ext-plugin.cmd}, with runner-protocol's test filters ({@code gk-rewrite} and friends)
 * on its loader path, and the process the gateway (this JVM) spawned from it.
 */
public final class JavaRunner {

    private JavaRunner() {
    }

    /** The {@code ext-plugin} section of a config.yaml that starts the Java runner. */
    public static String extPluginYaml() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String filters = classRoot("org/apache/apisix/plugin/runner/gatekit/GkRewriteFilter.class");
        String jar = classRoot("org/springframework/boot/loader/PropertiesLauncher.class");
        return """
                ext-plugin:
                  cmd: ["%s", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Dloader.path=%s", "-jar", "%s"]
                """.formatted(java, filters, jar);
    }

    /** The runner process this JVM spawned, if one runs. */
    public static Optional<ProcessHandle> process() {
        return ProcessHandle.current().children()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("apisix-runner-starter"))
                .findFirst();
    }

    /** The socket the runner was told to listen on ({@code APISIX_LISTEN_ADDRESS} in its environment). */
    public static Path socket(ProcessHandle runner) throws IOException {
        String environ = Files.readString(Path.of("/proc/" + runner.pid() + "/environ"), StandardCharsets.ISO_8859_1);
        for (String entry : environ.split("\0")) {
            if (entry.startsWith("APISIX_LISTEN_ADDRESS=unix:")) {
                return Path.of(entry.substring("APISIX_LISTEN_ADDRESS=unix:".length()));
            }
        }
        throw new AssertionError("runner " + runner.pid() + " has no APISIX_LISTEN_ADDRESS");
    }

    /** The jar or directory a class file of the test class path comes from. */
    private static String classRoot(String resource) {
        try {
            List<URL> found = Collections.list(JavaRunner.class.getClassLoader().getResources(resource));
            if (found.isEmpty()) {
                throw new IllegalStateException(resource + ": not on the test class path (expected: run through Maven,"
                        + " with runner-protocol's test-jar and apisix-runner-starter as test dependencies)");
            }
            URL url = found.get(0);
            if (url.getProtocol().equals("jar")) {
                String file = url.getPath().substring(0, url.getPath().indexOf("!/"));
                return Path.of(new URL(file).toURI()).toString();
            }
            Path path = Path.of(url.toURI());
            for (int i = resource.split("/").length; i > 0; i--) {
                path = path.getParent();
            }
            return path.toString();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + resource, e);
        }
    }
}
