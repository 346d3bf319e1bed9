package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.runner.JavaRunnerCommand;
import io.gatekit.runner.Reply;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.RunnerCallContext;
import io.gatekit.runner.RunnerPlugin;
import io.gatekit.runner.RunnerServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;

/**
 * {@code gatekit.ext-plugin.*} in a real Spring Boot application: the released APISIX Java Plugin
 * Runner started by the starter answers an {@code ext-plugin-pre-req} route, and the
 * {@code gatekit} health follows the runner's state.
 */
class RunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode health(BootHost host) throws Exception {
        return JSON.readTree(Http.get(host.url("/actuator/health/gatekit")).body());
    }

    @Test
    void theJavaPluginRunnerTheStarterStartsAnswersTheRouteAndShowsReady() throws Exception {
        List<String> argv = JavaRunnerCommand.argv("org/apache/apisix/plugin/runner/gatekit/GkStopFilter.class");
        List<String> properties = new ArrayList<>(List.of("gatekit.config=classpath:gatekit/runner.yaml"));
        for (int i = 0; i < argv.size(); i++) {
            properties.add("gatekit.ext-plugin.cmd[" + i + "]=" + argv.get(i));
        }
        try (BootHost host = BootHost.start(WebApplicationType.SERVLET, List.of(), properties.toArray(String[]::new))) {
            HttpResponse<String> stopped = Http.get(host.url("/runner/a"));
            HttpResponse<String> unrouted = Http.get(host.url("/plain"));

            assertEquals(403, stopped.statusCode(), stopped.body());
            assertEquals("yes", stopped.headers().firstValue("x-stop").orElseThrow());
            assertEquals("stopped by the runner", stopped.body());
            assertEquals(200, unrouted.statusCode());
            JsonNode health = health(host);
            assertEquals("UP", health.at("/status").asText());
            assertTrue(health.at("/details/runner/ready").asBoolean());
            assertTrue(health.at("/details/runner/managed").asBoolean());
        }
    }

    @Test
    void aRunnerThatGoesAwayIsDownInTheHealthAndFailsOnlyItsRoutesRequests(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runner.sock");
        RunnerServer runner = RunnerServer.builder().socketPath(socket).plugin("gk-stop", new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                return Reply.builder().status(403).body(context.config()).build();
            }
        }).build().start();
        try (BootHost host = BootHost.start(WebApplicationType.REACTIVE, List.of(),
                "gatekit.config=classpath:gatekit/runner.yaml", "gatekit.ext-plugin.path-for-test=" + socket,
                // the plugin's own attributes keep the runner's socket
                "gatekit.plugin-attr.ext-plugin-pre-req={\"read_timeout\": 5}")) {
            assertEquals("stopped by the runner", Http.get(host.url("/runner/a")).body());
            assertEquals("UP", health(host).at("/status").asText());
            assertFalse(health(host).at("/details/runner/managed").asBoolean());

            runner.close();
            Http.await(() -> "DOWN".equals(health(host).at("/status").asText()));

            assertFalse(health(host).at("/details/runner/ready").asBoolean());
            assertEquals(503, Http.get(host.url("/runner/a")).statusCode());
            assertEquals(200, Http.get(host.url("/plain")).statusCode());
        } finally {
            runner.close();
        }
    }
}
