package io.gatekit.spring.boot;

import io.gatekit.api.Nullable;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The application's response, held for the engine instead of sent: status, headers and cookies of
 * its own, and the body handed to the engine as a streaming {@link Body} the moment the application
 * writes it. The application's write completes when the engine has consumed the body (sent it to the
 * client through {@code body_filter}), so back-pressure reaches the application.
 */
final class CapturedResponse extends ServerHttpResponseDecorator {

    private final CompletableFuture<Response> response;
    private final HttpHeaders headers = new HttpHeaders();
    private final MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
    private final List<Supplier<? extends Mono<Void>>> beforeCommit = new ArrayList<>();
    private @Nullable HttpStatusCode status;
    private volatile boolean committed;

    CapturedResponse(ServerHttpResponse delegate, CompletableFuture<Response> response) {
        super(delegate);
        this.response = response;
    }

    @Override
    public boolean setStatusCode(@Nullable HttpStatusCode status) {
        if (committed) {
            return false;
        }
        this.status = status;
        return true;
    }

    @Override
    public @Nullable HttpStatusCode getStatusCode() {
        return status;
    }

    @Override
    public boolean setRawStatusCode(@Nullable Integer value) {
        return setStatusCode(value != null ? HttpStatusCode.valueOf(value) : null);
    }

    @Override
    public HttpHeaders getHeaders() {
        return headers;
    }

    @Override
    public MultiValueMap<String, ResponseCookie> getCookies() {
        return cookies;
    }

    @Override
    public void addCookie(ResponseCookie cookie) {
        cookies.add(cookie.getName(), cookie);
    }

    @Override
    public void beforeCommit(Supplier<? extends Mono<Void>> action) {
        beforeCommit.add(action);
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return commit().then(Mono.defer(() -> {
            Sinks.Empty<Void> consumed = Sinks.empty();
            Flux<java.nio.ByteBuffer> chunks = Flux.from(body)
                    .map(ReactiveRequests::copy)
                    .doOnComplete(consumed::tryEmitEmpty)
                    .doOnError(consumed::tryEmitError)
                    .doOnCancel(consumed::tryEmitEmpty);
            long length = headers.getContentLength();
            answer(Body.of(JdkFlowAdapter.publisherToFlowPublisher(chunks), length));
            return consumed.asMono();
        }));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return writeWith(Flux.from(body).concatMap(Flux::from));
    }

    @Override
    public Mono<Void> setComplete() {
        return commit().then(Mono.fromRunnable(() -> answer(Body.empty())));
    }

    /** The application's chain ended: a response it never wrote is an empty one. */
    void ended() {
        if (!response.isDone()) {
            commit().subscribe(null, response::completeExceptionally, () -> answer(Body.empty()));
        }
    }

    /** The application failed with an answer of its own (a 404 without a handler, say). */
    void emptyAnswer(int code) {
        if (!committed) {
            status = HttpStatusCode.valueOf(code);
            headers.setContentLength(0);
        }
        ended();
    }

    private Mono<Void> commit() {
        if (committed) {
            return Mono.empty();
        }
        committed = true;
        return Flux.fromIterable(beforeCommit).concatMap(Supplier::get).then();
    }

    private void answer(Body body) {
        io.gatekit.api.http.HttpHeaders engineHeaders = io.gatekit.api.http.HttpHeaders.of();
        for (Map.Entry<String, List<String>> header : headers.headerSet()) {
            for (String value : header.getValue()) {
                engineHeaders.add(header.getKey(), value);
            }
        }
        for (List<ResponseCookie> named : cookies.values()) {
            for (ResponseCookie cookie : named) {
                engineHeaders.add(HttpHeaders.SET_COOKIE, cookie.toString());
            }
        }
        response.complete(new Response(status != null ? status.value() : 200, engineHeaders, body));
    }
}
