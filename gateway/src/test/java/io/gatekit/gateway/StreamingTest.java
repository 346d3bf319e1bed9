package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream through: 100 MB each way while the gateway's buffer memory stays small. The
 * allocator's own counters are sampled throughout, so a gateway that buffered the body would
 * show it.
 */
class StreamingTest {

    private static final long HUNDRED_MB = 100L * 1024 * 1024;
    /**
     * Netty's pooled allocator reserves memory in 16 MiB chunks, so one chunk per active arena is
     * the floor; a buffered 100 MB body would need seven.
     */
    private static final long FLAT_LIMIT = 48L * 1024 * 1024;

    private TestUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("big");
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0), Engine.builder());
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** Samples the pooled allocator's used memory until stopped; returns the peak. */
    private static final class PeakSampler extends Thread {
        final AtomicLong peak = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);

        @Override
        public void run() {
            var metric = PooledByteBufAllocator.DEFAULT.metric();
            while (running.get()) {
                peak.accumulateAndGet(metric.usedDirectMemory() + metric.usedHeapMemory(), Math::max);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void aHundredMegabyteUploadStreamsWithFlatMemory() throws Exception {
        PeakSampler sampler = new PeakSampler();
        sampler.start();
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: " + HUNDRED_MB + "\r\n\r\n");
            byte[] block = new byte[64 * 1024];
            for (long sent = 0; sent < HUNDRED_MB; sent += block.length) {
                http.send(block);
            }
            RawHttp.Response response = http.read();
            assertEquals(200, response.status());
            assertEquals(Long.toString(HUNDRED_MB), response.text());
        } finally {
            sampler.running.set(false);
            sampler.join();
        }
        assertTrue(sampler.peak.get() < FLAT_LIMIT, "peak pooled memory " + sampler.peak.get() + " bytes");
    }

    @Test
    void aHundredMegabyteDownloadStreamsWithFlatMemory() throws Exception {
        PeakSampler sampler = new PeakSampler();
        sampler.start();
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.get("/bytes?n=" + HUNDRED_MB, "a");
            assertEquals(HUNDRED_MB, http.readCountingBody());
        } finally {
            sampler.running.set(false);
            sampler.join();
        }
        assertTrue(sampler.peak.get() < FLAT_LIMIT, "peak pooled memory " + sampler.peak.get() + " bytes");
    }

    @Test
    void aBodyOverClientMaxBodySizeGets413() throws Exception {
        gateway.close();
        var config = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        config = new io.gatekit.gateway.config.GatewayConfig(config.nodeHost(), 0, config.adminHost(), 0,
                config.adminKeys(), config.allowAdmin(), null, config.pluginAttributes(), null, null,
                config.prometheusHost(), 0, null, 1024, config.bodyBufferLimit(), config.maxHeaderSize(),
                config.upstreamConnectTimeout(), config.upstreamSendTimeout(), config.upstreamReadTimeout(), false,
                config.clientHeaderTimeout(), config.keepaliveTimeout(), config.clientBodyTimeout(), null, config.tls(),
                config.operations(), config.transport(), config.workerProcesses());
        gateway = Gateway.start(config, Engine.builder());
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n" + "x".repeat(2048));
            assertEquals(413, http.read().status());
            http.send("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals("3", http.read().text());
        }
    }
}
