package io.gatekit.engine.host;

import io.gatekit.api.http.HttpHeaders;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Transport} on the JDK's {@link HttpClient}: HTTP/1.1, connections pooled by the JDK,
 * bodies streamed both ways, the target's connect timeout per client (one client per distinct
 * connect timeout) and its send and read timeouts as the request's timeout for the response head.
 *
 * <pre>{@code
 * Transport transport = JdkTransport.create();
 * engine.serve(request, body, transport);
 * }</pre>
 *
 * <p>One limit of the JDK client: it sets {@code Host} from the URI and refuses it from callers
 * unless the JVM runs with {@code -Djdk.httpclient.allowRestrictedHeaders=host}. Without it, the
 * upstream receives the node's address as Host whatever {@code pass_host} says, and this transport
 * logs that once.
 */
public final class JdkTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(JdkTransport.class.getName());
    private static final boolean HOST_ALLOWED = hostAllowed();

    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
    private final AtomicBoolean hostWarned = new AtomicBoolean();

    private JdkTransport() {
    }

    /** A transport with its own clients. */
    public static JdkTransport create() {
        return new JdkTransport();
    }

    @Override
    public CompletionStage<Response> send(UpstreamRequest request) {
        Target target = request.target();
        HttpClient client = clients.computeIfAbsent(target.connectTimeout(), timeout -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build());
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.uri(request.uri()))
                .timeout(target.sendTimeout().plus(target.readTimeout()));
        HttpHeaders headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (name.equalsIgnoreCase("host")) {
                if (HOST_ALLOWED) {
                    builder.header(name, headers.value(i));
                } else if (!headers.value(i).equalsIgnoreCase(target.address()) && hostWarned.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "the upstream gets Host " + target.address() + ", not "
                            + headers.value(i) + ": the JDK client sets Host itself unless the JVM runs with "
                            + "-Djdk.httpclient.allowRestrictedHeaders=host (logged once)");
                }
                continue;
            }
            builder.header(name, headers.value(i));
        }
        Body body = request.body();
        HttpRequest.BodyPublisher publisher = body.length() == 0 ? HttpRequest.BodyPublishers.noBody()
                : body.length() > 0 ? HttpRequest.BodyPublishers.fromPublisher(body, body.length())
                : HttpRequest.BodyPublishers.fromPublisher(body);
        builder.method(request.method(), publisher);
        return client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofPublisher())
                .thenApply(JdkTransport::toResponse);
    }

    private static Response toResponse(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
        HttpHeaders headers = HttpHeaders.of();
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                values.forEach(value -> headers.add(name, value));
            }
        });
        long length = response.headers().firstValueAsLong("content-length").orElse(-1);
        return new Response(response.statusCode(), headers, Body.of(new Joined(response.body()), length));
    }

    private static boolean hostAllowed() {
        try {
            HttpRequest.newBuilder().header("Host", "probe");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The JDK's lists of buffers as one buffer each, so demand stays one for one. */
    private static final class Joined implements Flow.Publisher<ByteBuffer> {
        private final Flow.Publisher<List<ByteBuffer>> source;

        Joined(Flow.Publisher<List<ByteBuffer>> source) {
            this.source = source;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            source.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(List<ByteBuffer> buffers) {
                    if (buffers.size() == 1) {
                        subscriber.onNext(buffers.get(0));
                        return;
                    }
                    int size = 0;
                    for (ByteBuffer buffer : buffers) {
                        size += buffer.remaining();
                    }
                    ByteBuffer joined = ByteBuffer.allocate(size);
                    buffers.forEach(joined::put);
                    subscriber.onNext(joined.flip());
                }

                @Override
                public void onError(Throwable error) {
                    subscriber.onError(error);
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
        }
    }
}
