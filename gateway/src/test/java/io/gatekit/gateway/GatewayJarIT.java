package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged {@code gatekit-gateway.jar}, run with {@code java -jar} as users run it. */
class GatewayJarIT {

    private static final Path JAR = Path.of(System.getProperty("gatekit.gateway.jar", "target/gatekit-gateway.jar"));

    @Test
    void versionFlagPrintsTheVersionTheBuildWroteIntoTheManifest() throws Exception {
        Result result = run("--version");

        assertEquals(0, result.exitCode, result.output);
        assertEquals("gatekit-gateway " + System.getProperty("gatekit.version"), result.output.strip());
    }

    @Test
    void anUnknownArgumentNamesTheFlagsThatExist() throws Exception {
        Result result = run("--verison");

        assertEquals(2, result.exitCode, result.output);
        assertTrue(result.output.contains("unknown argument: --verison (expected: --config FILE, --version or --help)"),
                result.output);
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is not built");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 3];
        command[0] = java;
        command[1] = "-jar";
        command[2] = JAR.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the gateway did not exit: " + output);
        return new Result(process.exitValue(), output);
    }

    private record Result(int exitCode, String output) {
    }
}
