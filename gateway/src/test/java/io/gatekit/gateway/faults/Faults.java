package io.gatekit.gateway.faults;

import io.gatekit.engine.Engine;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the fault tests share: starting a gateway, the Admin API, the metrics, the process's fds. */
public final class Faults {

    /** The admin key of the default config. */
    public static final String KEY = GatewayConfig.EXAMPLE_ADMIN_KEY;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Faults() {
    }

    /** A gateway on ephemeral ports with every discovered plugin plus {@code fault-stamp}. */
    public static Gateway gateway() {
        return Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                Engine.builder().discoverPlugins().plugin(new StampPlugin()));
    }

    /** A gateway from {@code yaml} (a config.yaml), on ephemeral ports. */
    public static Gateway gateway(Path dir, String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        return Gateway.start(ConfigLoader.load(file, w -> { }).withPorts(0, 0, 0),
                Engine.builder().discoverPlugins().plugin(new StampPlugin()));
    }

    /** Held so that the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger GATEKIT_LOG = java.util.logging.Logger.getLogger("io.gatekit");

    /**
     * Logs only errors of the gateway (the io.gatekit loggers) until {@link #normalLogs()}: under
     * load, the warning a failing request is worth in production (a dead node, a runner down) comes
     * thousands of times and would drown the test output. The tests count those requests instead.
     */
    public static void quietLogs() {
        GATEKIT_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    /** Undoes {@link #quietLogs()}. */
    public static void normalLogs() {
        GATEKIT_LOG.setLevel(null);
    }

    /** The Prometheus text of the gateway. */
    public static String metrics(Gateway gateway) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.metricsPort()
                + "/apisix/prometheus/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of the samples of {@code metric} whose labels contain every one of {@code labels}. */
    public static long metric(Gateway gateway, String metric, String... labels) throws IOException, InterruptedException {
        long sum = 0;
        for (String line : metrics(gateway).split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                boolean all = true;
                for (String label : labels) {
                    all &= line.contains(label);
                }
                if (all) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    /** Open file descriptors of this process (the gateway runs in it). */
    public static int openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Open unix-domain sockets of this process (connections to the runner, among others). */
    public static int openUnixSockets() throws IOException {
        java.util.Set<String> unix = new java.util.HashSet<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 6) {
                unix.add(fields[6]);
            }
        }
        int count = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && unix.contains(target.substring(8, target.length() - 1))) {
                        count++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return count;
    }

    /** Waits, polling, until {@code condition} holds; fails with {@code what} after {@code max}. */
    public static void await(String what, Duration max, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + max + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
