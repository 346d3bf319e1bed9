package io.gatekit.benchmarks.e2e.scg;

import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.netty.http.client.HttpClient;

/**
 * The e2e script's hand-written request mirroring for Spring Cloud Gateway: the best an SCG user
 * writes without Gatekit, the contender {@code proxy-mirror} in the {@code Gatekit} filter is
 * compared with. A filter factory named {@code HandMirror} whose argument is the mirror's base
 * URI; each request's method, path, query and headers go there as a copy on Reactor Netty's
 * pooled client (SCG's own), fire and forget: the request goes on at once, the copy's answer is
 * read and dropped. Requests with a body are copied without it (the benchmark sends GETs; copying
 * a body would mean caching it first, as SCG's {@code CacheRequestBody} filter does).
 *
 * <p>Not part of the build: {@code benchmarks/e2e/run.sh} compiles it against the example
 * gateway's class path and adds it with {@code spring.main.sources}.
 */
@Configuration(proxyBeanMethods = false)
public class HandMirrorConfig {

    @Bean
    HandMirrorGatewayFilterFactory handMirrorGatewayFilterFactory() {
        return new HandMirrorGatewayFilterFactory();
    }

    /** {@code HandMirror=http://mirror:port}. */
    public static class HandMirrorGatewayFilterFactory
            extends AbstractGatewayFilterFactory<HandMirrorGatewayFilterFactory.Config> {

        private final HttpClient client = HttpClient.create();

        public HandMirrorGatewayFilterFactory() {
            super(Config.class);
        }

        @Override
        public List<String> shortcutFieldOrder() {
            return List.of("uri");
        }

        @Override
        public GatewayFilter apply(Config config) {
            return (exchange, chain) -> {
                ServerHttpRequest request = exchange.getRequest();
                String query = request.getURI().getRawQuery();
                String target = config.getUri() + request.getURI().getRawPath() + (query == null ? "" : "?" + query);
                client.headers(headers -> request.getHeaders().forEach((name, values) -> {
                            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                                headers.set(name, values);
                            }
                        }))
                        .request(io.netty.handler.codec.http.HttpMethod.valueOf(request.getMethod().name()))
                        .uri(target)
                        .responseContent()
                        .then()
                        .subscribe(done -> { }, failed -> { });
                return chain.filter(exchange);
            };
        }

        /** The mirror's base URI, such as {@code http://127.0.0.1:9797}. */
        public static class Config {
            private String uri;

            public String getUri() {
                return uri;
            }

            public void setUri(String uri) {
                this.uri = uri;
            }
        }
    }
}
