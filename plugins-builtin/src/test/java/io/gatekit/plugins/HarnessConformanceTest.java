package io.gatekit.plugins;

import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.host.ClientRequest;
import io.gatekit.testkit.host.ClientResponse;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * The test kit's own harness passes the host conformance suite: it serves through the same code as
 * every host, here with a real network call to the suite's upstreams; the client side is in memory,
 * bodies streamed with back-pressure both ways. It lives here, not in testkit, because the suite
 * needs the built-in proxy-mirror, and this module's tests already use the test kit.
 */
class HarnessConformanceTest extends HostConformance {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 9080);
    private static final HttpClient OUTBOUND = HttpClient.newHttpClient();

    @Override
    protected HostUnderTest start(HostSetup setup) {
        PluginHarness.Builder builder = PluginHarness.builder().discoverPlugins().transport(JdkTransport.create());
        setup.plugins().forEach(builder::plugin);
        PluginHarness harness = builder.build();
        // the harness records what plugins send; here the mirror's copies must also reach the mirror
        harness.httpClient().answer(request -> true, HarnessConformanceTest::forward);
        return new HostUnderTest() {
            @Override
            public Engine engine() {
                return harness.engine();
            }

            @Override
            public ClientResponse send(ClientRequest request) throws Exception {
                HttpRequest.Builder head = HttpRequest.builder().method(request.method()).uri(request.target())
                        .remoteAddress(CLIENT).localAddress(SERVER);
                if (!request.headers().contains("host")) {
                    head.header("Host", "127.0.0.1:9080");
                }
                request.headers().forEach(head::header);
                Response response = harness.serve(head.build(), body(request)).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
                request.bodyGate().get(60, TimeUnit.SECONDS);
                return read(request, response);
            }

            @Override
            public void close() {
                harness.close();
            }
        };
    }

    private static CompletionStage<OutboundResponse> forward(OutboundRequest request) {
        java.net.http.HttpRequest.Builder out = java.net.http.HttpRequest.newBuilder(request.uri())
                .method(request.method(), request.body() == null ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("connection")) {
                out.header(name, value);
            }
        });
        return OUTBOUND.sendAsync(out.build(), BodyHandlers.ofByteArray())
                .thenApply(r -> new OutboundResponse(r.statusCode(), HttpHeaders.of(), r.body()));
    }

    private static Body body(ClientRequest request) {
        if (request.body() != null) {
            request.sent().addAndGet(request.body().length);
            return Body.of(request.body());
        }
        if (request.generatedBytes() < 0) {
            return Body.empty();
        }
        return Body.of(new Generated(request.generatedBytes(), request.sent()), request.generatedBytes());
    }

    private static ClientResponse read(ClientRequest request, Response response) throws Exception {
        CompletableFuture<ClientResponse> read = new CompletableFuture<>();
        response.body().subscribe(new Flow.Subscriber<ByteBuffer>() {
            private final CRC32 crc = new CRC32();
            private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
            private long length;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer chunk) {
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                crc.update(bytes);
                if (length + bytes.length <= ClientResponse.KEEP) {
                    kept.writeBytes(bytes);
                }
                length += bytes.length;
            }

            @Override
            public void onError(Throwable error) {
                read.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                HttpHeaders headers = response.headers().copy();
                if (response.body().length() >= 0 && !headers.contains("content-length")) {
                    headers.set("content-length", Long.toString(response.body().length()));
                }
                read.complete(new ClientResponse(response.status(), headers,
                        length <= ClientResponse.KEEP ? kept.toByteArray() : null, length, crc.getValue()));
            }
        });
        return read.get(60, TimeUnit.SECONDS);
    }

    /** A generated request body, produced only as fast as it is asked for. */
    private static final class Generated implements Flow.Publisher<ByteBuffer> {
        private final long size;
        private final AtomicLong sent;

        Generated(long size, AtomicLong sent) {
            this.size = size;
            this.sent = sent;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            AtomicLong demand = new AtomicLong();
            AtomicBoolean emitting = new AtomicBoolean();
            long[] offset = {0};
            subscriber.onSubscribe(new Flow.Subscription() {
                private volatile boolean cancelled;

                @Override
                public void request(long n) {
                    demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                    while (!cancelled && emitting.compareAndSet(false, true)) {
                        while (!cancelled && demand.get() > 0 && offset[0] < size) {
                            int n1 = (int) Math.min(16 * 1024, size - offset[0]);
                            ByteBuffer chunk = ByteBuffer.allocate(n1);
                            for (int i = 0; i < n1; i++) {
                                chunk.put(ClientRequest.generatedByte(offset[0] + i));
                            }
                            offset[0] += n1;
                            sent.addAndGet(n1);
                            demand.decrementAndGet();
                            subscriber.onNext(chunk.flip());
                        }
                        if (offset[0] >= size && !cancelled) {
                            cancelled = true;
                            subscriber.onComplete();
                        }
                        emitting.set(false);
                        if (demand.get() == 0 || cancelled || offset[0] >= size) {
                            return;
                        }
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }
}
