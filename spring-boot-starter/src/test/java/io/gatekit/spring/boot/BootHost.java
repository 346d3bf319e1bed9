package io.gatekit.spring.boot;

import io.gatekit.api.PluginFactory;
import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;

/**
 * A real Spring Boot application on 127.0.0.1 and a random port, MVC (embedded Tomcat) or WebFlux
 * (Reactor Netty), with the starter's auto-configuration and an application that answers every
 * request as the conformance suite expects ({@link HostSetup#applicationBody}).
 */
final class BootHost implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private BootHost(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * Starts the application; {@code plugins} become beans (so they reach the engine as plugin beans
     * do), {@code properties} are {@code name=value} pairs.
     */
    static BootHost start(WebApplicationType type, List<? extends PluginFactory<?>> plugins, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.address=127.0.0.1", "server.port=0",
                "spring.main.banner-mode=off", "management.endpoints.web.exposure.include=health,gatekit",
                "management.endpoint.health.show-details=always"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(
                type == WebApplicationType.REACTIVE ? WebFluxApplication.class : MvcApplication.class)
                .web(type)
                .properties(all.toArray(String[]::new))
                .initializers(ctx -> {
                    for (int i = 0; i < plugins.size(); i++) {
                        ctx.getBeanFactory().registerSingleton("testPlugin" + i, plugins.get(i));
                    }
                })
                .run();
        return new BootHost(context);
    }

    /** The conformance suite's view of an application started with the suite's plugins. */
    static HostUnderTest conformance(WebApplicationType type, HostSetup setup) {
        BootHost host = start(type, setup.plugins());
        return HostUnderTest.listening(host.engine(), host.address(), host);
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    Engine engine() {
        return context.getBean(Engine.class);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    String url(String path) {
        return "http://127.0.0.1:" + address().getPort() + path;
    }

    @Override
    public void close() {
        context.close();
    }

    private static String answer(String method, String path, String query, String contentLength, byte[] body) {
        return HostSetup.applicationBody(method, path + (query == null ? "" : "?" + query), contentLength, body);
    }

    /** An MVC application: one functional route answering every path. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class MvcApplication {
        @Bean
        org.springframework.web.servlet.function.RouterFunction<org.springframework.web.servlet.function.ServerResponse>
                application() {
            // every path but Boot's error page, so that errors (of Actuator, say) keep their status
            return org.springframework.web.servlet.function.RouterFunctions.route(
                    org.springframework.web.servlet.function.RequestPredicates.path("/error").negate(), request -> {
                        String query = request.servletRequest().getQueryString();
                        byte[] received = request.servletRequest().getInputStream().readAllBytes();
                        byte[] body = answer(request.method().name(), request.servletRequest().getRequestURI(), query,
                                request.headers().firstHeader("content-length"), received)
                                .getBytes(StandardCharsets.UTF_8);
                        return org.springframework.web.servlet.function.ServerResponse.ok()
                                .contentType(MediaType.TEXT_PLAIN).contentLength(body.length).body(body);
                    });
        }
    }

    /**
     * A WebFlux application on Reactor Netty, the server WebFlux applications run on (Boot would
     * pick Tomcat, which the MVC tests put on the classpath): one functional route answering every
     * path.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Configuration(proxyBeanMethods = false)
    static class WebFluxApplication {
        @Bean
        org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory reactorNetty() {
            return new org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory();
        }

        @Bean
        org.springframework.web.reactive.function.server.RouterFunction<org.springframework.web.reactive.function.server.ServerResponse>
                application() {
            return org.springframework.web.reactive.function.server.RouterFunctions.route(
                    org.springframework.web.reactive.function.server.RequestPredicates.all(), request -> request
                            .bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(received -> {
                                byte[] body = answer(request.method().name(), request.uri().getRawPath(),
                                        request.uri().getRawQuery(), request.headers().firstHeader("content-length"),
                                        received).getBytes(StandardCharsets.UTF_8);
                                return org.springframework.web.reactive.function.server.ServerResponse.ok()
                                        .contentType(MediaType.TEXT_PLAIN).contentLength(body.length).bodyValue(body);
                            }));
        }
    }
}
