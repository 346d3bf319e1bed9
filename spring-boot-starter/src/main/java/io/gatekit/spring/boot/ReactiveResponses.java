package io.gatekit.spring.boot;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Writes the engine's {@link Response} to the reactive response: status, headers, the body as it streams. */
final class ReactiveResponses {

    private ReactiveResponses() {
    }

    static Mono<Void> write(ServerWebExchange exchange, Response response) {
        ServerHttpResponse out = exchange.getResponse();
        int status = response.status();
        out.setStatusCode(HttpStatusCode.valueOf(status));
        org.springframework.http.HttpHeaders target = out.getHeaders();
        HttpHeaders headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!name.equalsIgnoreCase("content-length")) {
                target.add(name, headers.value(i));
            }
        }
        Body body = response.body();
        boolean headRequest = exchange.getRequest().getMethod() == HttpMethod.HEAD;
        if (headRequest || status < 200 || status == 204 || status == 304) {
            String declared = headers.get("content-length");
            if (declared != null && status >= 200 && status != 204) {
                target.set("Content-Length", declared); // what a GET would have had
            }
            // the body is read to its end and dropped, as a servlet container drops it: the engine
            // runs log when it ends
            return JdkFlowAdapter.flowPublisherToFlux(body).then(Mono.defer(out::setComplete));
        }
        if (body.length() >= 0) {
            target.setContentLength(body.length());
        }
        DataBufferFactory buffers = out.bufferFactory();
        Flux<org.springframework.core.io.buffer.DataBuffer> chunks =
                JdkFlowAdapter.flowPublisherToFlux(body).map(buffers::wrap);
        return out.writeWith(chunks);
    }
}
