package io.gatekit.gateway.faults;

import io.gatekit.runner.JavaRunnerCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        List<String> argv = JavaRunnerCommand.argv("org/apache/apisix/plugin/runner/gatekit/GkRewriteFilter.class");
        return "ext-plugin:\n  cmd: [" + String.join(", ", argv.stream().map(arg -> "\"" + arg + "\"").toList())
                + "]\n";
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
}
