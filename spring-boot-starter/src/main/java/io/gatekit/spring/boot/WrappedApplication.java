package io.gatekit.spring.boot;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The WebFlux application behind a route without an upstream: the rest of the filter chain (or of a gateway's chain), handed
 * the request as plugins left it (method, path, query, headers, body) and a response that is
 * captured ({@link CapturedResponse}) for the engine's {@code header_filter}, {@code body_filter}
 * and {@code log} instead of going to the client.
 */
final class WrappedApplication {

    private WrappedApplication() {
    }

    static CompletionStage<Response> handle(ServerWebExchange exchange, Function<ServerWebExchange, Mono<Void>> next,
            HttpRequest request, Body body) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        CapturedResponse captured = new CapturedResponse(exchange.getResponse(), response);
        ServerWebExchange inner = exchange.mutate()
                .request(asPluginsLeftIt(exchange.getRequest(), request, body))
                .response(captured)
                .build();
        next.apply(inner).subscribe(
                null,
                error -> {
                    if (error instanceof ErrorResponse answer) {
                        // what WebFlux would have answered (404 without a handler, say): an answer, not a failure
                        captured.emptyAnswer(answer.getStatusCode().value());
                    } else {
                        response.completeExceptionally(error);
                    }
                },
                captured::ended);
        return response;
    }

    /**
     * A body of known length (one a plugin read whole or replaced, or the client's declared one) is
     * framed by that length: a replaced body must not go on with the Content-Length the client sent
     * for the original. A request that had no body and got none keeps its headers as they are.
     */
    private static void withLengthOf(HttpHeaders headers, Body body) {
        long length = body.length();
        boolean framed = headers.getContentLength() >= 0 || headers.containsKey(HttpHeaders.TRANSFER_ENCODING);
        if (length < 0 || length == 0 && !framed) {
            return;
        }
        headers.remove(HttpHeaders.TRANSFER_ENCODING);
        headers.setContentLength(length);
    }

    private static ServerHttpRequest asPluginsLeftIt(ServerHttpRequest original, HttpRequest request, Body body) {
        URI uri = original.getURI();
        String query = request.rawQuery();
        URI rewritten = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + request.path()
                + (query != null ? "?" + query : ""));
        ServerHttpRequest mutated = original.mutate()
                .method(HttpMethod.valueOf(request.method()))
                .uri(rewritten)
                .headers(headers -> {
                    headers.clear();
                    request.headers().forEach(headers::add);
                    withLengthOf(headers, body);
                })
                .build();
        Flux<DataBuffer> content = JdkFlowAdapter.flowPublisherToFlux(body).map(DefaultDataBufferFactory.sharedInstance::wrap);
        return new ServerHttpRequestDecorator(mutated) {
            @Override
            public Flux<DataBuffer> getBody() {
                return content;
            }

            @Override
            public HttpHeaders getHeaders() {
                return mutated.getHeaders();
            }
        };
    }
}
