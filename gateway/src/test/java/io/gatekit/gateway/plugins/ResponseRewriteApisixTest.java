package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cases of APISIX's {@code t/plugin/response-rewrite.t} through the real gateway; each names the
 * tests it ports. Not ported: TEST 1-3 and 16 (Lua {@code check_schema} calls; the schema's
 * accept and reject cases are ported through the Admin API below), 15 (reads the conf as stored in
 * etcd, an APISIX internal).
 */
class ResponseRewriteApisixTest {

    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = PluginGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    /** TEST 4-5: headers set (an empty value removes one) and a new body. */
    @Test
    void headersAndBodyAreRewrittenAndAnEmptyValueRemovesAHeader() throws Exception {
        gw.putRoute("1", gw.route("/with_header", """
                {"response-rewrite": {"headers": {"X-Server-id": 3, "X-Server-status": "on", "Content-Type": ""},
                                      "body": "new body\\n"}}"""));

        PluginGateway.Response r = gw.send("GET", "/with_header");

        assertEquals(200, r.status());
        assertEquals("new body\n", r.body());
        assertEquals("3", r.header("X-Server-id"));
        assertEquals("on", r.header("X-Server-status"));
        assertNull(r.header("Content-Type"));
        assertEquals("echo", r.header("X-Upstream"), "headers not named stay");
    }

    /**
     * TEST 6-7: a new body alone keeps the upstream's other headers but drops those that describe
     * the old body (Content-Length, Content-Encoding, Last-Modified, ETag).
     */
    @Test
    void aNewBodyAloneDropsOnlyTheHeadersOfTheOldBody() throws Exception {
        gw.putRoute("1", gw.route("/headers", """
                {"response-rewrite": {"body": "new body2\\n"}}"""));

        PluginGateway.Response r = gw.send("GET", "/headers?X-Server-id=100&Content-Encoding=gzip"
                + "&Last-Modified=Wed,%2021%20Oct%202015%2007:28:00%20GMT&ETag=%2233a64df551425fcc%22");

        assertEquals(200, r.status());
        assertEquals("new body2\n", r.body());
        assertEquals("100", r.header("X-Server-id"));
        assertEquals("text/plain", r.header("Content-Type"));
        assertNull(r.header("Content-Encoding"));
        assertNull(r.header("Last-Modified"));
        assertNull(r.header("ETag"));
        String length = r.header("Content-Length");
        assertTrue(length == null || length.equals("10"), "Content-Length of the new body or none: " + length);
    }

    /** TEST 8-9: a redirect made of status_code and Location. */
    @Test
    void aStatusAndLocationMakeARedirect() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"response-rewrite": {"headers": {"Location": "https://www.iresty.com"}, "status_code": 302}}"""));

        PluginGateway.Response r = gw.send("GET", "/hello");

        assertEquals(302, r.status());
        assertEquals("https://www.iresty.com", r.header("Location"));
    }

    /** TEST 10-11, 14, 17, 21-22: configs APISIX refuses, with its texts. */
    @Test
    void invalidConfigsAreRefusedWithApisixTexts() throws Exception {
        PluginGateway.Response emptyName = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"status_code": 200, "headers": {"": 2}}}"""));
        PluginGateway.Response objectValue = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"status_code": 200, "headers": {"X-Name": {}}}}"""));
        PluginGateway.Response base64 = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"body": "YWJj\\n=", "body_base64": true}}"""));
        PluginGateway.Response emptyBase64 = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"body": "", "body_base64": true}}"""));
        PluginGateway.Response noBase64 = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"body_base64": true}}"""));
        PluginGateway.Response vars = gw.admin("PUT", "/apisix/admin/routes/1", gw.route("/hello", """
                {"response-rewrite": {"vars": ["a"]}}"""));

        assertEquals(400, emptyName.status());
        assertTrue(emptyName.body().contains("invalid field length in header")
                || emptyName.body().contains("headers"), emptyName.body());
        assertEquals(400, objectValue.status());
        assertTrue(objectValue.body().contains("invalid type as header value"), objectValue.body());
        assertEquals(400, base64.status());
        assertTrue(base64.body().contains("invalid base64 content"), base64.body());
        assertTrue(emptyBase64.body().contains("invalid base64 content"), emptyBase64.body());
        assertTrue(noBase64.body().contains("invalid base64 content"), noBase64.body());
        assertEquals(400, vars.status());
        assertTrue(vars.body().contains("failed to validate the 'vars' expression"), vars.body());
    }

    /** TEST 12-13: a base64 body. */
    @Test
    void aBase64BodyIsDecoded() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"response-rewrite": {"body": "SGVsbG8K", "body_base64": true}}"""));

        assertEquals("Hello\n", gw.send("GET", "/hello").body());
    }

    /** TEST 18-20: vars on the status choose which responses change. */
    @Test
    void varsOnTheStatusChooseTheResponsesToChange() throws Exception {
        gw.putRoute("1", """
                {"uris": ["/status/500", "/hello"], "plugins": {"response-rewrite": {"body": "new body3\\n",
                 "status_code": 403, "vars": [["status", "==", 500]]}},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}}}""".formatted(gw.upstreamAddress()));

        PluginGateway.Response failed = gw.send("GET", "/status/500");
        PluginGateway.Response ok = gw.send("GET", "/hello");

        assertEquals(403, failed.status());
        assertEquals("new body3\n", failed.body());
        assertEquals(200, ok.status());
        assertTrue(ok.body().startsWith("uri: /hello"), ok.body());
    }

    /** TEST 23-24: header values resolve variables. */
    @Test
    void headerValuesResolveVariables() throws Exception {
        gw.putRoute("1", gw.route("/with_header", """
                {"response-rewrite": {"headers": {"X-A": "$remote_addr", "X-B": "from $remote_addr to $uri"}}}"""));

        PluginGateway.Response r = gw.send("GET", "/with_header");

        assertEquals("127.0.0.1", r.header("X-A"));
        assertEquals("from 127.0.0.1 to /with_header", r.header("X-B"));
    }

    /** TEST 25-26: an empty body. */
    @Test
    void anEmptyBodyReplacesTheUpstreams() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"response-rewrite": {"body": ""}}"""));

        PluginGateway.Response r = gw.send("GET", "/hello");

        assertEquals(200, r.status());
        assertEquals("", r.body());
    }

    /** TEST 27: add with "Name:value" and no space. */
    @Test
    void addTakesNameColonValue() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"response-rewrite": {"headers": {"add": ["X-Server-test:a"]}}}"""));

        assertEquals("a", gw.send("GET", "/hello").header("X-Server-test"));
    }

    /** TEST 28-29: filters see at most max_resp_body_size bytes. */
    @Test
    void filtersWorkOnTheBodyCutToMaxRespBodySize() throws Exception {
        gw.putRoute("1", gw.route("/hello", """
                {"response-rewrite": {"max_resp_body_size": 5,
                                      "filters": [{"regex": "uri: ", "scope": "once", "replace": "URI"}]}}"""));

        assertEquals("URI", gw.send("GET", "/hello").body());
    }
}
