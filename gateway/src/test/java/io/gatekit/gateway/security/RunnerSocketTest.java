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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket the gateway gives its ext-plugin runner: whoever can connect to it can run code in
 * the runner's plugins with any request, so only the gateway's own user may reach it. The released
 * Java runner opens the socket file itself to everyone (mode 766, so that an nginx worker of
 * another user can connect); the gateway therefore puts it in a directory of its own that only its
 * user can enter, narrows the file to its owner once the runner is ready, and removes both when it
 * stops.
 */
class RunnerSocketTest {

    @Test
    void theRunnerSocketLivesInADirectoryOnlyTheGatewaysUserCanEnterAndGoesWithTheGateway(@TempDir Path dir)
            throws Exception {
        Path socket;
        try (Gateway gateway = Faults.gateway(dir, JavaRunner.extPluginYaml())) {
            Faults.await("the runner process", Duration.ofSeconds(30), () -> JavaRunner.process().isPresent());
            socket = JavaRunner.socket(JavaRunner.process().orElseThrow());
            Path socketFile = socket;
            Faults.await("the runner's socket file", Duration.ofSeconds(120), () -> Files.exists(socketFile));
            // the runner opens its socket to everyone; the gateway narrows it to its owner once ready
            Faults.await("the socket file narrowed to its owner", Duration.ofSeconds(120),
                    () -> "rw-------".equals(modeOf(socketFile)));

            Path parent = socket.getParent();
            String user = System.getProperty("user.name");
            String directoryMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(parent,
                    LinkOption.NOFOLLOW_LINKS));
            String socketMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(socket));
            System.out.println("[security] runner socket " + socket + ": " + socketMode + ", in " + directoryMode
                    + " owned by " + Files.getOwner(parent).getName());

            assertEquals("rwx------", directoryMode, "mode of " + parent);
            assertEquals("rw-------", socketMode, "mode of " + socket);
            assertFalse(Files.isSymbolicLink(parent), parent + " is a symbolic link");
            assertEquals(user, Files.getOwner(parent).getName(), "owner of " + parent);
            assertEquals(user, Files.getOwner(socket).getName(), "owner of " + socket);
            try (var entries = Files.list(parent)) {
                assertEquals(1, entries.count(), "entries of the runner's directory besides its socket");
            }
            assertTrue(socket.toString().length() < 100, "unix socket paths must stay under ~100 bytes: " + socket);
        }
        assertFalse(Files.exists(socket), socket + " left behind");
        assertFalse(Files.exists(socket.getParent()), socket.getParent() + " left behind");
    }

    private static String modeOf(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (java.io.IOException e) {
            return "unreadable: " + e;
        }
    }
}
