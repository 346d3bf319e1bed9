package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.gatekit.config.etcd.EtcdServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;

/**
 * {@code gatekit.etcd.*} in a real Spring Boot application against a real etcd: routes put in
 * etcd serve, a refused value shows in the {@code gatekit} health until its key holds a good one.
 */
class EtcdConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void put(Client client, String key, String value) throws Exception {
        client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
                ByteSequence.from(value, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    }

    private static JsonNode health(BootHost host) throws Exception {
        return JSON.readTree(Http.get(host.url("/actuator/health/gatekit")).body());
    }

    private static String stamp(BootHost host, String path) throws Exception {
        return Http.get(host.url(path)).headers().firstValue("x-stamp").orElse("none");
    }

    @Test
    void aValueEtcdHoldsThatIsRefusedShowsInTheHealthUntilItsKeyIsFixed(@TempDir Path dir) throws Exception {
        try (EtcdServer etcd = EtcdServer.start(dir); Client client = Client.builder().endpoints(etcd.url()).build()) {
            put(client, "/boot/routes/1", "{\"uri\": \"/stamped/*\", \"plugins\": {\"test-stamp\": {}}}");
            try (BootHost host = BootHost.start(WebApplicationType.SERVLET, TestPlugins.all(),
                    "gatekit.etcd.endpoints=" + etcd.url(), "gatekit.etcd.prefix=/boot", "gatekit.etcd.timeout=20s")) {
                assertEquals("status 200", stamp(host, "/stamped/a"));
                assertTrue(health(host).at("/details/lastRejection").isMissingNode());

                put(client, "/boot/routes/2", "{\"uri\": 7}");
                Http.await(() -> !health(host).at("/details/lastRejection").isMissingNode());

                JsonNode rejected = health(host);
                assertEquals("UP", rejected.at("/status").asText());
                assertEquals("invalid configuration: property \"uri\" validation failed: wrong type: expected string,"
                        + " got number", rejected.at("/details/lastRejection/error_msg").asText());
                assertEquals("/routes/2/uri", rejected.at("/details/lastRejection/violations/0/pointer").asText());

                put(client, "/boot/routes/3", "{\"uri\": \"/other/*\", \"plugins\": {\"test-stamp\": {}}}");
                Http.await(() -> "status 200".equals(stamp(host, "/other/a")));
                assertTrue(!health(host).at("/details/lastRejection").isMissingNode(), "route 2 is still refused");

                put(client, "/boot/routes/2", "{\"uri\": \"/fixed/*\", \"plugins\": {\"test-stamp\": {}}}");
                Http.await(() -> health(host).at("/details/lastRejection").isMissingNode());
                assertEquals("status 200", stamp(host, "/fixed/a"));
            }
        }
    }
}
