package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy-mirror page of the APISIX docs, run verbatim with curl: the route is created through
 * the Admin API on the data port (that page's older layout), requests reach the upstream on 1999
 * and a copy reaches the mirror on 9797, and the "disable" step stops the copies at once.
 */
class SeedProxyMirrorTest {

    private static final String ENABLE = """
            curl http://127.0.0.1:9080/apisix/admin/routes/1  -H 'X-API-KEY: edd1c9f034335f136f87ad84b625c8f1' -X PUT -d '
            {
                "plugins": {
                    "proxy-mirror": {
                       "host": "http://127.0.0.1:9797"
                    }
                },
                "upstream": {
                    "nodes": {
                        "127.0.0.1:1999": 1
                    },
                    "type": "roundrobin"
                },
                "uri": "/hello"
            }'
            """;

    private static final String TEST = "curl http://127.0.0.1:9080/hello -i";

    private static final String DISABLE = """
            curl http://127.0.0.1:9080/apisix/admin/routes/1  -H 'X-API-KEY: edd1c9f034335f136f87ad84b625c8f1' -X PUT -d '
            {
                "uri": "/hello",
                "plugins": {},
                "upstream": {
                    "type": "roundrobin",
                    "nodes": {
                        "127.0.0.1:1999": 1
                    }
                }
            }'
            """;

    @Test
    void theDocsCurlLinesWorkAsWritten(@TempDir Path dir) throws Exception {
        Shell.requireCurl();
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                apisix:
                  node_listen: 9080
                deployment:
                  admin:
                    admin_listen:
                      port: 9080
                """);
        GatewayConfig gatewayConfig = ConfigLoader.load(config, w -> { }).withPorts(9080, 9080, 0);
        BlockingQueue<String> mirrored = new LinkedBlockingQueue<>();
        HttpServer mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 9797), 16);
        mirror.createContext("/", exchange -> {
            mirrored.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        mirror.start();
        try (FixedPortUpstream upstream = new FixedPortUpstream(1999, "hello world\n");
                Gateway gateway = Gateway.start(gatewayConfig)) {
            Shell.Result enabled = Shell.run(ENABLE);
            assertTrue(enabled.output().contains("\"key\":\"/apisix/routes/1\""), enabled.output());

            Shell.Result hello = Shell.run(TEST);
            assertTrue(hello.output().startsWith("HTTP/1.1 200 OK"), hello.output());
            assertTrue(hello.output().endsWith("hello world\n"), hello.output());
            assertEquals("GET /hello", mirrored.poll(10, TimeUnit.SECONDS));

            Shell.Result disabled = Shell.run(DISABLE);
            assertTrue(disabled.output().contains("\"plugins\":{}"), disabled.output());
            Shell.run(TEST);
            Shell.run(TEST);
            assertEquals(3, upstream.hits());
            // the upstream has answered all three; a copy of the last two would have been sent
            // before those answers, so none arriving now means none was sent
            assertEquals(null, mirrored.poll(500, TimeUnit.MILLISECONDS));
        } finally {
            mirror.stop(0);
        }
    }
}
