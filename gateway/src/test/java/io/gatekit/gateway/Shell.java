package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs documentation commands as written, with bash. */
final class Shell {

    private Shell() {
    }

    /** What a command printed on stdout, and its exit code. */
    record Result(int exitCode, String output) {
    }

    /**
     * Skips the calling test when curl is missing on a developer's machine; under CI (where
     * {@code .ci/run} installs curl) a missing curl fails the test instead.
     */
    static void requireCurl() throws Exception {
        boolean present = run("command -v curl").exitCode() == 0;
        if (System.getenv("CI") != null) {
            assertEquals(true, present, "curl is missing under CI; .ci/run installs it");
        }
        Assumptions.assumeTrue(present, "curl is not installed: skipping the docs' curl examples "
                + "(install curl, or run under CI where .ci/run installs it)");
    }

    static Result run(String command) throws IOException, InterruptedException {
        // stderr (curl's progress meter) is not part of what the docs show
        Process process = new ProcessBuilder("bash", "-c", command)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish in 60 s: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }
}
