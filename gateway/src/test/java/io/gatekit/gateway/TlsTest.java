package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS on the data plane with certificates from the {@code ssls} resource, driven by {@code curl}
 * and {@code openssl s_client} over loopback, with certificates {@code openssl} makes for the
 * test: SNI (exact and wildcard), no matching SNI, both TLS providers, TLS 1.2 and 1.3, an RSA and
 * an ECDSA pair in one SSL, and the Admin API's refusals.
 */
class TlsTest {

    private static final String KEY = GatewayConfig.EXAMPLE_ADMIN_KEY;

    @TempDir
    static Path dir;
    static TestCertificates certs;

    private TestUpstream upstream;
    private Gateway gateway;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates.requireTool("curl");
        certs = new TestCertificates(dir);
    }

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new TestUpstream("one");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void start(String provider) {
        GatewayConfig defaults = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        GatewayConfig config = defaults.withTls(defaults.tls()
                .withListen(true, List.of(new GatewayConfig.Listen("127.0.0.1", 0))).withProvider(provider));
        gateway = Gateway.start(config, Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    /** curl to {@code https://name:port/hello}, trusting the test CA: exit code and status. */
    private TestCertificates.Result curl(String name, String options) throws Exception {
        int port = gateway.tlsPort(0);
        return certs.exec("curl -sS --cacert ca.crt --resolve " + name + ":" + port + ":127.0.0.1 " + options
                + " -o /dev/null -w '%{http_code} %{http_version}' https://" + name + ":" + port + "/hello");
    }

    private TestCertificates.Result admin(String method, String path, String body) throws Exception {
        Files.writeString(dir.resolve("body.json"), body);
        return certs.exec("curl -sS -X " + method + " -H 'X-API-KEY: " + KEY + "' --data-binary @body.json"
                + " -w '\\n%{http_code}' http://127.0.0.1:" + gateway.adminPort() + "/apisix/admin/" + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aHandshakeGetsTheCertificateOfItsSniExactOrWildcard(String provider) throws Exception {
        start(provider);
        TestCertificates.Pair exact = certs.leaf("rsa", "a.test");
        TestCertificates.Pair wildcard = certs.leaf("ec", "*.wild.test");
        gateway.engine().put(ResourceKind.SSLS, "1", exact.ssl("a.test"));
        gateway.engine().put(ResourceKind.SSLS, "2", wildcard.ssl("*.wild.test"));

        // curl checks the certificate against the name: a 200 means the right one was served
        assertEquals("200 2", curl("a.test", "").output());
        assertEquals("200 2", curl("x.wild.test", "").output());
        assertEquals("200 1.1", curl("X.Wild.Test", "--http1.1").output());
        // a wildcard covers one label only, and nothing covers other names: the handshake fails
        assertEquals(35, curl("deep.x.wild.test", "").exitCode());
        assertEquals(35, curl("wild.test", "").exitCode());
        assertEquals(35, curl("other.test", "").exitCode());
    }

    @Test
    void noMatchingSniFailsTheHandshakeWithAnInternalErrorAlertAsApisix() throws Exception {
        start("auto");
        gateway.engine().put(ResourceKind.SSLS, "1", certs.leaf("rsa", "a.test").ssl("a.test"));
        int port = gateway.tlsPort(0);

        TestCertificates.Result unknown = certs.exec("openssl s_client -connect 127.0.0.1:" + port
                + " -servername nobody.test </dev/null");
        TestCertificates.Result none = certs.exec("openssl s_client -connect 127.0.0.1:" + port
                + " -noservername </dev/null");

        assertNotEquals(0, unknown.exitCode());
        assertTrue(unknown.output().contains("alert internal error"), unknown.output());
        assertTrue(none.output().contains("alert internal error"), none.output());
        // and the gateway still serves the names it has
        assertEquals("200 2", curl("a.test", "").output());
    }

    @Test
    void aFallbackSniServesClientsThatSendNone() throws Exception {
        GatewayConfig defaults = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        GatewayConfig.Tls tls = defaults.tls().withListen(true, List.of(new GatewayConfig.Listen("127.0.0.1", 0)));
        gateway = Gateway.start(defaults.withTls(new GatewayConfig.Tls(true, tls.listen(), tls.protocols(),
                "a.test", true, "auto")), Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.SSLS, "1", certs.leaf("rsa", "a.test").ssl("a.test"));

        TestCertificates.Result none = certs.exec("openssl s_client -connect 127.0.0.1:" + gateway.tlsPort(0)
                + " -noservername -CAfile ca.crt </dev/null");

        assertTrue(none.output().contains("subject=CN = a.test"), none.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void tls12AndTls13AreServedAndAnSslsProtocolsNarrowThem(String provider) throws Exception {
        start(provider);
        TestCertificates.Pair pair = certs.leaf("rsa", "any.test", "only13.test");
        gateway.engine().put(ResourceKind.SSLS, "1", pair.ssl("any.test"));
        gateway.engine().put(ResourceKind.SSLS, "2", pair.ssl("only13.test").replace("\"snis\"",
                "\"ssl_protocols\": [\"TLSv1.3\"], \"snis\""));

        assertEquals("200 2", curl("any.test", "--tlsv1.2 --tls-max 1.2").output());
        assertEquals("200 2", curl("any.test", "--tlsv1.3").output());
        assertEquals("200 2", curl("only13.test", "--tlsv1.3").output());
        assertNotEquals(0, curl("only13.test", "--tlsv1.2 --tls-max 1.2").exitCode());
    }

    @Test
    void anRsaAndAnEcdsaPairInOneSslServeEachClientTheKindItAsksFor() throws Exception {
        start("auto");
        TestCertificates.Pair rsa = certs.leaf("rsa", "dual.test");
        TestCertificates.Pair ec = certs.leaf("ec", "dual.test");
        gateway.engine().put(ResourceKind.SSLS, "1", rsa.ssl("dual.test").replace("\"snis\"",
                "\"certs\": [" + TestCertificates.json(ec.cert()) + "], \"keys\": ["
                        + TestCertificates.json(ec.key()) + "], \"snis\""));
        String connect = "openssl s_client -connect 127.0.0.1:" + gateway.tlsPort(0)
                + " -servername dual.test -CAfile ca.crt -tls1_2 ";

        String ecdsa = certs.exec(connect + "-cipher ECDHE-ECDSA-AES128-GCM-SHA256 </dev/null").output();
        String rsaOnly = certs.exec(connect + "-cipher ECDHE-RSA-AES128-GCM-SHA256 </dev/null").output();

        assertTrue(ecdsa.contains("Server public key is 256 bit"), ecdsa);
        assertTrue(rsaOnly.contains("Server public key is 2048 bit"), rsaOnly);
        assertTrue(ecdsa.contains("Verify return code: 0 (ok)") && rsaOnly.contains("Verify return code: 0 (ok)"));
    }

    @Test
    void theAdminApiRefusesBadPemsMismatchedKeysAndExpiredCertificatesNamingTheField() throws Exception {
        start("auto");
        TestCertificates.Pair one = certs.leaf("rsa", "one.test");
        TestCertificates.Pair two = certs.leaf("ec", "two.test");

        TestCertificates.Result notPem = admin("PUT", "ssls/1", one.ssl("one.test").replace(
                "MII", "XXX"));
        TestCertificates.Result otherKey = admin("PUT", "ssls/1",
                new TestCertificates.Pair(one.cert(), two.key(), null, null).ssl("one.test"));
        TestCertificates.Result expired = admin("PUT", "ssls/1", certs.expired().ssl("old.test"));
        TestCertificates.Result unpaired = admin("PUT", "ssls/1", one.ssl("one.test").replace("\"snis\"",
                "\"certs\": [" + TestCertificates.json(two.cert()) + "], \"snis\""));

        assertTrue(notPem.output().endsWith("\n400") && notPem.output().contains("failed to parse cert: "),
                notPem.output());
        assertTrue(otherKey.output().endsWith("\n400") && otherKey.output().contains(
                "key: does not match the certificate in cert"), otherKey.output());
        assertTrue(expired.output().endsWith("\n400") && expired.output().contains(
                "cert: the certificate expired on"), expired.output());
        assertTrue(unpaired.output().endsWith("\n400") && unpaired.output().contains(
                "mismatched number of certs and keys"), unpaired.output());
        assertTrue(gateway.engine().list(ResourceKind.SSLS).isEmpty());
    }

    @Test
    void theAdminApiNeverAnswersWithAPrivateKey() throws Exception {
        start("auto");
        TestCertificates.Pair one = certs.leaf("rsa", "one.test");

        TestCertificates.Result put = admin("PUT", "ssls/1", one.ssl("one.test"));
        TestCertificates.Result get = admin("GET", "ssls/1", "");
        TestCertificates.Result list = admin("GET", "ssls", "");

        assertTrue(put.output().endsWith("\n201"), put.output());
        for (TestCertificates.Result answer : List.of(put, get, list)) {
            assertTrue(answer.output().contains("BEGIN CERTIFICATE"), answer.output());
            assertFalse(answer.output().contains("PRIVATE KEY"), answer.output());
        }
        assertEquals("200 2", curl("one.test", "").output());
    }
}
