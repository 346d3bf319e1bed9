package io.gatekit.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What {@link RunnerSupervisor} does to a spawned runner process: forward its output, stop it. */
final class RunnerProcess {

    private static final Duration KILL_REAP_WAIT = Duration.ofSeconds(10);

    private RunnerProcess() {
    }

    /** Forwards the runner's output to the log, one record per line (long lines in 4,000-byte pieces). */
    static void forwardOutput(Process spawned, System.Logger logger) {
        String prefix = "runner[" + spawned.pid() + "]: ";
        Thread pump = new Thread(() -> {
            try (InputStream in = spawned.getInputStream()) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    if (b != '\n') {
                        line.write(b);
                    }
                    if (b == '\n' || line.size() >= 4000) {
                        logger.log(Level.INFO, prefix + line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    }
                }
                if (line.size() > 0) {
                    logger.log(Level.INFO, prefix + line.toString(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The pipe closed under us: the process is gone and the supervisor reports it.
            }
        }, "gatekit-runner-output-" + spawned.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * SIGTERM, then SIGKILL after {@code stopTimeout}. Children get the same signals, so a runner
     * started through a wrapper script does not leave its real process behind.
     */
    static void stop(Process toStop, Duration stopTimeout, System.Logger logger) {
        List<ProcessHandle> family = new ArrayList<>(toStop.descendants().toList());
        toStop.destroy();
        family.forEach(ProcessHandle::destroy);
        try {
            if (!toStop.waitFor(stopTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                logger.log(Level.WARNING, "runner did not stop within {0} ms of SIGTERM, sending SIGKILL",
                        stopTimeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Children started since the first look are killed too; the parent first, so it starts no more.
        toStop.descendants().forEach(family::add);
        toStop.destroyForcibly();
        family.forEach(ProcessHandle::destroyForcibly);
        // SIGKILL cannot be refused, but on a loaded machine the kernel may take a while to reap the
        // process: wait for that (bounded), so that close() returns with the runner gone.
        try {
            if (!toStop.waitFor(Math.max(stopTimeout.toNanos(), KILL_REAP_WAIT.toNanos()), TimeUnit.NANOSECONDS)) {
                logger.log(Level.WARNING, "runner {0} still alive {1} s after SIGKILL", toStop.pid(),
                        KILL_REAP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
