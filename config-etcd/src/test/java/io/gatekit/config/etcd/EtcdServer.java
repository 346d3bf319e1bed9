package io.gatekit.config.etcd;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's {@code etcd-server}) as a child process on loopback ports, with its data in
 * a temporary directory. {@link #kill()} and {@link #restart()} simulate an outage: the restarted
 * member keeps its ports and data, as a real one coming back would. Shared with the gateway's
 * cluster tests through this module's test jar.
 */
public final class EtcdServer implements AutoCloseable {

    private final Path binary;
    private final Path dataDir;
    private final Path log;
    private final int clientPort;
    private final int peerPort;
    private Process process;

    private EtcdServer(Path binary, Path dir) throws IOException {
        this.binary = binary;
        this.dataDir = dir.resolve("data");
        this.log = dir.resolve("etcd.log");
        this.clientPort = freePort();
        this.peerPort = freePort();
        this.process = launch();
    }

    /**
     * Starts etcd in {@code dir}. Skips the calling test when etcd is not installed, unless under CI
     * (env {@code CI} set), where {@code .ci/run} installs it, so a missing etcd is a failure.
     */
    public static EtcdServer start(Path dir) throws Exception {
        Optional<Path> binary = find();
        if (binary.isEmpty()) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("etcd is not installed (expected: /usr/bin/etcd from the Debian "
                        + "package etcd-server, which .ci/run installs)");
            }
            abort("etcd is not installed: apt-get install etcd-server to run the cluster tests");
        }
        EtcdServer server = new EtcdServer(binary.get(), dir);
        server.awaitHealthy();
        return server;
    }

    private static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry, "etcd");
            if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private Process launch() throws IOException {
        String client = url();
        String peer = "http://127.0.0.1:" + peerPort;
        return new ProcessBuilder(List.of(binary.toString(), "--name", "gatekit-test", "--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "gatekit-test=" + peer))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** The client URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** The client port. */
    public int port() {
        return clientPort;
    }

    /** Kills etcd, deletes its data and starts an empty etcd on the same ports, as a wiped member. */
    public void wipe() throws Exception {
        kill();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        restart();
    }

    /** Polls {@code /health} until etcd answers healthy (20 s at most). */
    public void awaitHealthy() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url() + "/health")).timeout(Duration.ofSeconds(1))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("etcd not healthy within 20 s; see " + log + ":\n" + Files.readString(log));
    }

    /** Kills etcd abruptly (SIGKILL), as a crash or a lost machine. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts etcd again on the same ports and data, and waits until it is healthy. */
    public void restart() throws Exception {
        process = launch();
        awaitHealthy();
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
