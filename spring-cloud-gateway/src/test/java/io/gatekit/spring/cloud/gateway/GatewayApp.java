package io.gatekit.spring.cloud.gateway;

import io.gatekit.engine.Engine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Cloud Gateway 4.3 application on 127.0.0.1 and a random port (Reactor Netty), with
 * the starter's and this module's auto-configuration. Its routes come from {@code properties};
 * {@code beans} (plugin factories, customizers) become beans, as a user's would be.
 */
final class GatewayApp implements AutoCloseable {

    /** Where an SCG route is declared in properties. */
    static final String ROUTES = "spring.cloud.gateway.server.webflux.routes";

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final ConfigurableApplicationContext context;

    private GatewayApp(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static GatewayApp start(List<?> beans, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.address=127.0.0.1", "server.port=0",
                "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.REACTIVE)
                .properties(all.toArray(String[]::new))
                .initializers(ctx -> {
                    for (int i = 0; i < beans.size(); i++) {
                        ctx.getBeanFactory().registerSingleton("testBean" + i, beans.get(i));
                    }
                })
                .run();
        return new GatewayApp(context);
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

    /** Sends {@code request} to {@code path} on the gateway with the JDK's client. */
    HttpResponse<String> send(String path, HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.uri(URI.create("http://127.0.0.1:" + address().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder().GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(path, request);
    }

    @Override
    public void close() {
        context.close();
    }

    /** The gateway: nothing but auto-configuration; SCG routes from properties. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
    }
}
