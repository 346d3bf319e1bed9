package io.gatekit.runner.internal;

import io.gatekit.runner.RunnerException;
import io.gatekit.runner.RunnerException.Kind;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Connecting to and listening on unix socket paths. */
public final class UnixSockets {

    /** rw for owner and group: connecting needs write permission, so the group's users may connect. */
    public static final Set<PosixFilePermission> SOCKET_PERMISSIONS = PosixFilePermissions.fromString("rw-rw----");

    private UnixSockets() {
    }

    /** A connected non-blocking channel, or a {@link Kind#CONNECT} error. */
    public static SocketChannel connect(Path path, long timeoutNanos) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false);
            if (!channel.connect(UnixDomainSocketAddress.of(path))) {
                finishConnect(channel, timeoutNanos);
            }
            return channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RunnerException(Kind.CONNECT, "cannot connect to " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Whether something accepts connections on {@code path} right now. */
    public static boolean isListening(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return channel.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Binds {@code path}: a stale socket file (nobody listening) is removed first, a live one is an
     * error; then the file is opened to the owner's group.
     */
    public static ServerSocketChannel bind(Path path) throws IOException {
        if (Files.exists(path)) {
            if (isListening(path)) {
                throw new IOException("socketPath: " + path + " (expected: no other runner listening on it)");
            }
            Files.delete(path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 128);
            Files.setPosixFilePermissions(path, SOCKET_PERMISSIONS);
            return server;
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            throw e;
        }
    }

    private static void finishConnect(SocketChannel channel, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            while (!channel.finishConnect()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new RunnerException(Kind.CONNECT, "connect timed out");
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            }
        }
        // Closing the selector deregistered the channel, so it may change mode or register elsewhere.
    }

    static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Best effort: the channel is being abandoned.
        }
    }
}
