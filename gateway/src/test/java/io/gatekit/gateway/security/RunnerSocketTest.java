package io.gatekit.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.faults.Faults;
import io.gatekit.gateway.faults.JavaRunner;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket the gateway gives its ext-plugin runner: whoever can connect to it can run code in
 * the runner's plugins with any request, so only the gateway's own user may reach it. The released
 * Java runner opens the socket file itself to everyone ({@code chmod 777}, run in a child process
 * after it listens, so often after the gateway found it ready); the gateway therefore puts it in a
 * directory of its own that only its user can enter, keeps the file narrowed to its owner whenever
 * the runner changes it, and removes both when it stops.
 */
class RunnerSocketTest {

    /** The runner's output reaches the log through the supervisor, one record per line. */
    private static final Logger SUPERVISOR_LOG = Logger.getLogger("io.gatekit.runner.RunnerSupervisor");

    @Test
    void onlyTheGatewaysUserCanReachTheRunnerSocketEvenAfterTheRunnerOpensItToEveryone(@TempDir Path dir)
            throws Exception {
        List<String> runnerLines = new CopyOnWriteArrayList<>();
        Handler lines = new Handler() {
            @Override
            public void publish(LogRecord record) {
                runnerLines.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = SUPERVISOR_LOG.getLevel();
        SUPERVISOR_LOG.setLevel(Level.INFO);
        SUPERVISOR_LOG.addHandler(lines);
        Path socket;
        try (Gateway gateway = Faults.gateway(dir, JavaRunner.extPluginYaml())) {
            Faults.await("the runner process", Duration.ofSeconds(30), () -> JavaRunner.process().isPresent());
            ProcessHandle runner = JavaRunner.process().orElseThrow();
            socket = JavaRunner.socket(runner);
            Path parent = socket.getParent();
            String user = System.getProperty("user.name");

            // The directory: made before the runner started, so checked at once.
            assertEquals("rwx------", modeOf(parent), "mode of " + parent);
            assertFalse(Files.isSymbolicLink(parent), parent + " is a symbolic link");
            assertEquals(user, Files.getOwner(parent, LinkOption.NOFOLLOW_LINKS).getName(), "owner of " + parent);

            // The file: the runner prints this line once it has started its chmod; once that chmod
            // process is gone too, the runner will not change the mode again.
            Faults.await("the runner's chmod to start", Duration.ofSeconds(120), () -> runnerLines.stream()
                    .anyMatch(line -> line.startsWith("runner[" + runner.pid() + "]: ")
                            && line.contains("java runner is listening on the socket file")));
            Faults.await("the runner's chmod to end", Duration.ofSeconds(30), () -> runner.children()
                    .noneMatch(child -> child.info().command().orElse("").endsWith("chmod")));
            Path socketFile = socket;
            Faults.await("the socket file narrowed to its owner", Duration.ofSeconds(30),
                    () -> "rw-------".equals(modeOf(socketFile)));
            System.out.println("[security] runner socket " + socket + ": " + modeOf(socket) + ", in "
                    + modeOf(parent) + " owned by " + Files.getOwner(parent).getName());

            assertEquals("rw-------", modeOf(socket), "mode of " + socket);
            assertEquals(user, Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS).getName(), "owner of " + socket);
            try (var entries = Files.list(parent)) {
                assertEquals(1, entries.count(), "entries of the runner's directory besides its socket");
            }
            assertTrue(socket.toString().length() < 100, "unix socket paths must stay under ~100 bytes: " + socket);
        } finally {
            SUPERVISOR_LOG.removeHandler(lines);
            SUPERVISOR_LOG.setLevel(level);
        }
        assertFalse(Files.exists(socket), socket + " left behind");
        assertFalse(Files.exists(socket.getParent()), socket.getParent() + " left behind");
    }

    private static String modeOf(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            return "unreadable: " + e;
        }
    }
}
