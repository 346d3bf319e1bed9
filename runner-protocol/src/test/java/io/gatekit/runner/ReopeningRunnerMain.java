package io.gatekit.runner;

import io.gatekit.runner.internal.UnixSockets;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A runner that does what the released Java runner does to its socket, in the order that used to
 * leave it open: it listens, waits until its supervisor has narrowed the socket file to its owner,
 * then opens it to everyone (the Java runner's {@code chmod 777}, which it runs after it listens)
 * and creates the file named by its argument to say so.
 */
public final class ReopeningRunnerMain {

    private ReopeningRunnerMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path socket = Path.of(System.getenv("APISIX_LISTEN_ADDRESS").substring("unix:".length()));
        Path reopened = Path.of(args[0]);
        try (ServerSocketChannel server = UnixSockets.bind(socket)) {
            while (!"rw-------".equals(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))) {
                Thread.sleep(5); // the supervisor's first narrowing, which has no event to wait on here
            }
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.createFile(reopened);
            Thread.sleep(Long.MAX_VALUE); // until the supervisor stops it
        }
    }
}
