package io.gatekit.plugins.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@code basic-auth} in the test kit: who it lets in, its 401 answers, hide_credentials, the consumer it attaches. */
class BasicAuthTest {

    private PluginHarness harness;

    @BeforeEach
    void start() {
        harness = PluginHarness.of(new BasicAuthFactory());
        harness.engine().put(ResourceKind.CONSUMERS, "foo", """
                {"username": "foo", "plugins": {"basic-auth": {"username": "foo-user", "password": "bar"}}}""");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private RunResult withAuthorization(String value) {
        return harness.request(HttpRequest.builder().uri("/").header("Host", "example.com")
                .header("Authorization", value).build());
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new BasicAuthFactory())
                .accepts("{}", """
                        {"hide_credentials": true, "realm": "gatekit"}""")
                .rejects("""
                        {"hide_credentials": "yes"}""", "/hide_credentials")
                .rejects("""
                        {"realm": "has \\"quotes\\""}""", "/realm")
                .discoverable()
                .tests();
    }

    @Test
    void theRightUserAndPasswordLetTheRequestThroughAsThatConsumer() {
        harness.route("{\"basic-auth\": {}}");

        RunResult passed = withAuthorization(basic("foo-user:bar"));

        assertEquals(200, passed.response().status());
        assertEquals("foo", passed.exchange().consumer().username());
        assertEquals("foo", passed.exchange().var("consumer_name"));
        assertEquals(basic("foo-user:bar"), passed.upstreamRequest().headers().get("Authorization"),
                "without hide_credentials the header reaches the upstream");
    }

    @Test
    void eachKindOfBadAuthorizationGetsApisixsAnswer() {
        harness.route("{\"basic-auth\": {}}");

        RunResult missing = harness.request("/");
        assertEquals(401, missing.response().status());
        assertEquals("{\"message\":\"Missing authorization in request\"}", missing.bodyText());
        assertEquals("Basic realm=\"basic\"", missing.response().headers().get("WWW-Authenticate"));
        assertEquals("{\"message\":\"Invalid authorization in request\"}",
                withAuthorization("Bad_header YmFyOmJhcgo=").bodyText());
        assertEquals("{\"message\":\"Invalid authorization in request\"}", withAuthorization("Basic aca_a").bodyText());
        assertEquals("{\"message\":\"Invalid authorization in request\"}", withAuthorization(basic("bar")).bodyText());
        assertEquals("{\"message\":\"Invalid user authorization\"}", withAuthorization(basic("bar:bar")).bodyText());
        RunResult wrongPassword = withAuthorization(basic("foo-user:foo"));
        assertEquals(401, wrongPassword.response().status());
        assertEquals("{\"message\":\"Invalid user authorization\"}", wrongPassword.bodyText());
        assertNull(wrongPassword.exchange().consumer());
        assertTrue(wrongPassword.shortCircuited());
    }

    @Test
    void theSchemeIsCaseInsensitiveAndWhiteSpaceInTheDecodedPairIsIgnored() {
        harness.route("{\"basic-auth\": {}}");

        assertEquals(200, withAuthorization("bASiC " + basic("foo-user:bar").substring(6)).response().status());
        assertEquals(200, withAuthorization(basic("foo-user:bar\n")).response().status(), "APISIX strips \\s");
    }

    @Test
    void hideCredentialsRemovesTheAuthorizationHeaderBeforeTheUpstream() {
        harness.route("{\"basic-auth\": {\"hide_credentials\": true, \"realm\": \"gatekit\"}}");

        RunResult passed = withAuthorization(basic("foo-user:bar"));
        RunResult refused = harness.request("/");

        assertEquals(200, passed.response().status());
        assertNull(passed.upstreamRequest().headers().get("Authorization"));
        assertEquals("Basic realm=\"gatekit\"", refused.response().headers().get("WWW-Authenticate"));
    }

    @Test
    void aConsumerConfigNeedsBothFieldsAndAUserNameNoOtherConsumerHas() {
        ConfigException noPassword = assertThrows(ConfigException.class, () -> harness.engine().put(
                ResourceKind.CONSUMERS, "bob", """
                        {"username": "bob", "plugins": {"basic-auth": {"username": "bob"}}}"""));
        ConfigException taken = assertThrows(ConfigException.class, () -> harness.engine().put(
                ResourceKind.CONSUMERS, "bob", """
                        {"username": "bob", "plugins": {"basic-auth": {"username": "foo-user", "password": "x"}}}"""));

        assertEquals("invalid plugins configuration: failed to check the configuration of plugin basic-auth err: "
                + "property \"password\" is required", noPassword.errorMsg());
        assertEquals("duplicate username of plugin basic-auth found with consumer: foo", taken.errorMsg());
    }

    @Test
    void thePasswordIsRedactedWhereTheEngineShowsAConsumer() {
        String shown = harness.engine().redact(harness.engine().get(ResourceKind.CONSUMERS, "foo").orElseThrow())
                .json();

        assertTrue(shown.contains("\"password\":\"******\""), shown);
        assertFalse(shown.contains("bar"), shown);
        assertTrue(shown.contains("foo-user"), "the user name is no secret: " + shown);
    }

    @Test
    void anonymousConsumerIsRefusedBecauseGatekitHasNoneYet() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> harness.route("{\"basic-auth\": {\"anonymous_consumer\": \"guest\"}}"));
        assertTrue(e.getMessage().contains("anonymous_consumer"), e.getMessage());
    }
}
