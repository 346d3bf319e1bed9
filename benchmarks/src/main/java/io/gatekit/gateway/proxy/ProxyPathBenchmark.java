package io.gatekit.gateway.proxy;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's plain proxy path in one JVM, over loopback: a keep-alive client sends
 * {@code GET /plain} to a real {@link Gateway} (its config from a {@code config.yaml}, as
 * {@code GatewayMain} reads it), which proxies it to an upstream that answers a fixed 1 KB body.
 * Client and upstream are plain blocking sockets writing prepared bytes, so that with
 * {@code -prof gc} nearly all of {@code gc.alloc.rate.norm} is the gateway's allocation per request.
 * The time per request includes the two loopback hops and the threads' wake-ups: compare it only
 * between builds or transports in the same run. Each request checks the status line and the body's
 * length, so a broken path cannot look fast.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ProxyPathBenchmark -prof gc -f 1 -wi 3 -i 5</pre>
 *
 * <p>{@code route=mirror} adds {@code proxy-mirror} to the route, towards a mirror that answers the
 * same 1 KB body on connections of its own (a thread each): the difference in
 * {@code gc.alloc.rate.norm} is what a copy costs the gateway.
 *
 * <p>Another build's gateway runs the same benchmark with its jar first on the class path:
 * {@code java -cp old/gatekit-gateway.jar:benchmarks/target/benchmarks.jar org.openjdk.jmh.Main ProxyPathBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProxyPathBenchmark {

    private static final byte[] BODY = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ANSWER = concat(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + BODY.length + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII), BODY);

    private static final byte[] NAME = "\r\ncontent-length:".getBytes(StandardCharsets.US_ASCII);

    /** {@code gatekit.transport}; a build that predates the key ignores it (with a warning) and runs NIO. */
    @Param({"auto"})
    public String transport;

    /** {@code plain}: the route proxies only; {@code mirror}: it also mirrors every request. */
    @Param({"plain", "mirror"})
    public String route;

    private ServerSocket upstreamServer;
    private ServerSocket mirrorServer;
    private Thread upstream;
    private Gateway gateway;
    private Socket client;
    private OutputStream out;
    private InputStream in;
    private byte[] request;
    private final byte[] buffer = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        upstreamServer = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        upstream = new Thread(this::serveUpstream, "bench-upstream");
        upstream.setDaemon(true);
        upstream.start();
        Path dir = Files.createTempDirectory("gatekit-proxy-bench");
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                gatekit:
                  transport: %s
                """.formatted(transport));
        gateway = Gateway.start(ConfigLoader.load(config, warning -> { }).withPorts(0, 0, 0));
        String plugins = "";
        if (route.equals("mirror")) {
            mirrorServer = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            Thread mirror = new Thread(this::acceptMirrorConnections, "bench-mirror");
            mirror.setDaemon(true);
            mirror.start();
            plugins = """
                    , "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:%d"}}""".formatted(mirrorServer.getLocalPort());
        } else if (!route.equals("plain")) {
            throw new IllegalArgumentException("route: " + route + " (expected: plain or mirror)");
        }
        gateway.engine().put(ResourceKind.ROUTES, "plain", """
                {"uri": "/plain", "upstream": {"nodes": {"127.0.0.1:%d": 1}}%s}"""
                .formatted(upstreamServer.getLocalPort(), plugins));
        client = new Socket(InetAddress.getLoopbackAddress(), gateway.port());
        client.setTcpNoDelay(true);
        out = client.getOutputStream();
        in = client.getInputStream();
        request = "GET /plain HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** One keep-alive upstream connection at a time. */
    private void serveUpstream() {
        while (!upstreamServer.isClosed()) {
            try (Socket s = upstreamServer.accept()) {
                answerEachRequest(s);
            } catch (IOException e) {
                // closed at tear-down, or the gateway dropped the connection: accept the next
            }
        }
    }

    /** The mirror: copies may overlap, so each connection gets a thread. */
    private void acceptMirrorConnections() {
        while (!mirrorServer.isClosed()) {
            try {
                Socket s = mirrorServer.accept();
                Thread connection = new Thread(() -> {
                    try (s) {
                        answerEachRequest(s);
                    } catch (IOException e) {
                        // the gateway closed it
                    }
                }, "bench-mirror-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                // closed at tear-down
            }
        }
    }

    /** Answers each request head (bodiless GETs) on {@code s} with {@link #ANSWER} until it closes. */
    private static void answerEachRequest(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        byte[] in = new byte[16 * 1024];
        InputStream input = s.getInputStream();
        OutputStream output = s.getOutputStream();
        int seen = 0; // bytes of "\r\n\r\n" matched so far
        for (int n; (n = input.read(in)) > 0; ) {
            for (int i = 0; i < n; i++) {
                byte b = in[i];
                seen = (b == '\r' && (seen == 0 || seen == 2)) || (b == '\n' && (seen == 1 || seen == 3))
                        ? seen + 1 : b == '\r' ? 1 : 0;
                if (seen == 4) {
                    output.write(ANSWER);
                    seen = 0;
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        gateway.close();
        upstreamServer.close();
        if (mirrorServer != null) {
            mirrorServer.close();
        }
    }

    /** One request through the gateway and its whole answer back; returns the answer's length. */
    @Benchmark
    public int plainProxy() throws IOException {
        out.write(request);
        int head = -1;
        int length = -1;
        int read = 0;
        while (head < 0 || read < head + length) {
            int n = in.read(buffer, read, buffer.length - read);
            if (n < 0) {
                throw new IllegalStateException("the gateway closed the connection");
            }
            read += n;
            if (head < 0) {
                head = headEnd(read);
                if (head > 0) {
                    length = contentLength(head);
                }
            }
        }
        if (buffer[9] != '2' || buffer[10] != '0' || buffer[11] != '0' || length != BODY.length || read != head + length) {
            throw new IllegalStateException("unexpected answer: " + new String(buffer, 0, Math.min(read, 200),
                    StandardCharsets.ISO_8859_1));
        }
        return read;
    }

    private int headEnd(int read) {
        for (int i = 3; i < read; i++) {
            if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The value of the answer's Content-Length, read from the bytes (nothing allocated per request). */
    private int contentLength(int head) {
        for (int i = 0; i + NAME.length < head; i++) {
            if (matches(i)) {
                int value = 0;
                int at = i + NAME.length;
                while (buffer[at] == ' ') {
                    at++;
                }
                while (buffer[at] >= '0' && buffer[at] <= '9') {
                    value = value * 10 + buffer[at++] - '0';
                }
                return value;
            }
        }
        throw new IllegalStateException("no content-length in the answer");
    }

    private boolean matches(int at) {
        for (int k = 0; k < NAME.length; k++) {
            byte b = buffer[at + k];
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != NAME[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
