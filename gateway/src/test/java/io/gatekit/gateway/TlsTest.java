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
 * an ECDSA pair in one SSL, the Admin API's refusals, mutual TLS ({@code client.ca}, {@code depth},
 * APISIX's Host check), a certificate replaced under a loop of handshakes, and an IPv6 listener.
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

    /** The SSL JSON of {@code pair} for {@code sni}, asking for client certificates of {@code ca} within {@code depth}. */
    private static String mutual(TestCertificates.Pair pair, String sni, String caFile, int depth) throws Exception {
        String ca = Files.readString(dir.resolve(caFile + ".crt"));
        return pair.ssl(sni).replace("\"snis\"", "\"client\": {\"ca\": " + TestCertificates.json(ca)
                + ", \"depth\": " + depth + "}, \"snis\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void mutualTlsServesAClientWithACertificateOfClientCaAndRefusesTheHandshakeOfOthers(String provider)
            throws Exception {
        start(provider);
        gateway.engine().put(ResourceKind.SSLS, "1", mutual(certs.leaf("rsa", "mtls.test"), "mtls.test", "ca", 1));
        TestCertificates.Pair client = certs.leaf("ec", "client.test");
        String other = certs.otherCa();
        TestCertificates.Pair stranger = certs.leafSignedBy(other, "rsa", "stranger.test");

        TestCertificates.Result withCert = curl("mtls.test", "--cert " + client.certFile() + " --key " + client.keyFile());
        TestCertificates.Result without = curl("mtls.test", "");
        TestCertificates.Result untrusted = curl("mtls.test", "--cert " + stranger.certFile() + " --key "
                + stranger.keyFile());

        assertEquals("200 2", withCert.output());
        // as APISIX without skip_mtls_uri_regex: verified in the handshake (t/node/client-mtls.t,
        // "mtls failed, at handshake phase"), so no HTTP answer at all
        assertNotEquals(0, without.exitCode(), without.output());
        assertFalse(without.output().startsWith("200"), without.output());
        assertNotEquals(0, untrusted.exitCode(), untrusted.output());
        assertEquals(1, upstream.hits.get());
    }

    @Test
    void clientDepthCountsTheIntermediatesBetweenTheClientsCertificateAndClientCaAsNginx() throws Exception {
        start("auto");
        String intermediate = certs.intermediate();
        TestCertificates.Pair deep = certs.leafSignedBy(intermediate, "rsa", "deep-client.test");
        Path chain = dir.resolve("deep-chain.crt");
        Files.writeString(chain, deep.cert() + Files.readString(dir.resolve(intermediate + ".crt")));
        TestCertificates.Pair direct = certs.leaf("rsa", "direct-client.test");
        gateway.engine().put(ResourceKind.SSLS, "0", mutual(certs.leaf("rsa", "d0.test"), "d0.test", "ca", 0));
        gateway.engine().put(ResourceKind.SSLS, "1", mutual(certs.leaf("rsa", "d1.test"), "d1.test", "ca", 1));
        String deepCert = "--cert " + chain + " --key " + deep.keyFile();

        assertEquals("200 2", curl("d0.test", "--cert " + direct.certFile() + " --key " + direct.keyFile()).output());
        assertNotEquals(0, curl("d0.test", deepCert).exitCode());
        assertEquals("200 2", curl("d1.test", deepCert).output());
    }

    @Test
    void aHostNamingAMutualTlsSslOnAConnectionMadeForAnotherNameIsRefusedWith400AsApisix() throws Exception {
        start("auto");
        TestCertificates.Pair both = certs.leaf("rsa", "open.test", "mtls.test");
        gateway.engine().put(ResourceKind.SSLS, "1", both.ssl("open.test"));
        gateway.engine().put(ResourceKind.SSLS, "2", mutual(both, "mtls.test", "ca", 1));
        TestCertificates.Pair client = certs.leaf("rsa", "client.test");
        String cert = "--cert " + client.certFile() + " --key " + client.keyFile();

        TestCertificates.Result smuggled = curl("open.test", "-H 'Host: mtls.test'");
        TestCertificates.Result smuggled2 = curl("open.test", "--http2 -H 'Host: mtls.test'");
        TestCertificates.Result verifiedElsewhere = curl("open.test", cert + " -H 'Host: mtls.test'");
        TestCertificates.Result plain = curl("open.test", "");
        TestCertificates.Result verified = curl("mtls.test", cert);

        assertEquals("400 1.1", smuggled.output().replace("400 2", "400 1.1"), smuggled.output());
        assertTrue(smuggled2.output().startsWith("400"), smuggled2.output());
        assertTrue(verifiedElsewhere.output().startsWith("400"), verifiedElsewhere.output());
        assertEquals("200 2", plain.output());
        assertEquals("200 2", verified.output());
    }

    @Test
    void aCertificateReplacedUnderLoadFailsNoHandshakeAndTheNextHandshakesGetTheNewOne() throws Exception {
        start("auto");
        List<TestCertificates.Pair> generations = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            generations.add(certs.leaf(i % 2 == 0 ? "rsa" : "ec", "rot.test"));
        }
        gateway.engine().put(ResourceKind.SSLS, "1", generations.get(0).ssl("rot.test"));
        javax.net.ssl.SSLSocketFactory factory = trustingTestCa().getSocketFactory();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> loaders = new java.util.ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread loader = new Thread(() -> {
                while (running.get()) {
                    try {
                        handshake(factory);
                        handshakes.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            });
            loader.start();
            loaders.add(loader);
        }
        try {
            for (int i = 1; i < generations.size(); i++) {
                int before = handshakes.get();
                io.gatekit.gateway.faults.Faults.await("handshakes under way", java.time.Duration.ofSeconds(20),
                        () -> handshakes.get() >= before + 20);
                TestCertificates.Result put = admin("PUT", "ssls/1", generations.get(i).ssl("rot.test"));
                assertTrue(put.output().endsWith("\n200"), put.output());

                // the Admin API answered: every handshake from now on gets the new certificate
                assertEquals(serial(generations.get(i)), handshake(factory));
            }
        } finally {
            running.set(false);
            for (Thread loader : loaders) {
                loader.join(10_000);
            }
        }
        assertTrue(failures.isEmpty(), "failed handshakes: " + failures);
        assertTrue(handshakes.get() >= 60, "handshakes: " + handshakes.get());
    }

    /** A TLS handshake with SNI rot.test: the serial of the certificate the gateway served. */
    private java.math.BigInteger handshake(javax.net.ssl.SSLSocketFactory factory) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket("127.0.0.1",
                gateway.tlsPort(0))) {
            socket.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("rot.test")));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSerialNumber();
        }
    }

    private static java.math.BigInteger serial(TestCertificates.Pair pair) throws Exception {
        return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pair.cert().getBytes()))).getSerialNumber();
    }

    private static javax.net.ssl.SSLContext trustingTestCa() throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(certs.ca.cert().getBytes())));
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void anIpv6ListenerServesTls() throws Exception {
        GatewayConfig defaults = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        gateway = Gateway.start(defaults.withTls(defaults.tls().withListen(true, List.of(
                new GatewayConfig.Listen("127.0.0.1", 0), new GatewayConfig.Listen("[::1]", 0)))),
                Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
        gateway.engine().put(ResourceKind.SSLS, "1", certs.leaf("rsa", "v6.test").ssl("v6.test"));
        int port = gateway.tlsPort(1);

        TestCertificates.Result result = certs.exec("curl -sS --cacert ca.crt --resolve v6.test:" + port
                + ":[::1] -o /dev/null -w '%{http_code} %{remote_ip}' https://v6.test:" + port + "/hello");

        assertEquals("200 ::1", result.output());
    }
}
