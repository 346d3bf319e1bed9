package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.TokenAuth;
import org.junit.jupiter.api.Test;

/** An authentication plugin under the harness keeps its consumer schema, key field and secrets. */
class AuthPluginHarnessTest {

    @Test
    void theHarnessFindsConsumersChecksTheirConfigAndRedactsTheirSecrets() {
        try (PluginHarness harness = PluginHarness.of(new TokenAuth())) {
            harness.engine().put(ResourceKind.CONSUMERS, "jack", """
                    {"username": "jack", "plugins": {"token-auth": {"token": "t-jack"}}}""");
            harness.route("{\"token-auth\": {}}");

            RunResult found = harness.request(HttpRequest.builder().uri("/").header("token", "t-jack").build());
            ConfigException bad = assertThrows(ConfigException.class, () -> harness.engine().put(
                    ResourceKind.CONSUMERS, "rose", "{\"username\": \"rose\", \"plugins\": {\"token-auth\": {}}}"));
            String shown = harness.engine().redact(harness.engine().get(ResourceKind.CONSUMERS, "jack").orElseThrow())
                    .json();

            assertEquals(200, found.response().status());
            assertEquals("jack", found.exchange().consumer().username());
            assertEquals(401, harness.request("/").response().status());
            assertTrue(bad.errorMsg().endsWith("property \"token\" is required"), bad.errorMsg());
            assertFalse(shown.contains("t-jack"), shown);
        }
    }
}
