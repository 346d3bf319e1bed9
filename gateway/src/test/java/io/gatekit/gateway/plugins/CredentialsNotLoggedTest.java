package io.gatekit.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials of consumers never appear in clear text where APISIX hides them: not in the
 * gateway's log (every level, for good and bad keys, refused configs, Admin API calls), not in
 * {@code explain}, not in any Admin API answer. (The access log prints {@code $request} as nginx
 * does, a query-string key included, as on APISIX; it is off by default.)
 */
class CredentialsNotLoggedTest {

    private static final String KEY = "k3y-auth-s3cret";
    private static final String PASSWORD = "b4sic-pa55word";

    /** Held so that the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final Logger GATEKIT_LOG = Logger.getLogger("io.gatekit");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            StringWriter text = new StringWriter().append(format.format(record));
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            lines.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private PluginGateway gw;

    @BeforeEach
    void start() throws Exception {
        capture.setLevel(Level.ALL);
        GATEKIT_LOG.setLevel(Level.ALL);
        GATEKIT_LOG.addHandler(capture);
        gw = PluginGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
        GATEKIT_LOG.removeHandler(capture);
        GATEKIT_LOG.setLevel(null);
    }

    @Test
    void noKeyOrPasswordReachesTheLogExplainOrTheAdminApi() throws Exception {
        List<PluginGateway.Response> answers = new CopyOnWriteArrayList<>();
        answers.add(gw.admin("PUT", "/apisix/admin/consumer_groups/team", """
                {"plugins": {"limit-count": {"count": 1, "time_window": 60, "rejected_code": 429}}}"""));
        answers.add(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "jack", "group_id": "team", "plugins": {"key-auth": {"key": "%s"}}}""".formatted(KEY)));
        answers.add(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "rose", "plugins": {"basic-auth": {"username": "rose", "password": "%s"}}}"""
                .formatted(PASSWORD)));
        answers.add(gw.admin("PUT", "/apisix/admin/consumers", """
                {"username": "dup", "plugins": {"key-auth": {"key": "%s"}}}""".formatted(KEY)));
        answers.add(gw.admin("PATCH", "/apisix/admin/consumers/rose", """
                {"plugins": {"basic-auth": {"username": "rose", "password": 7}}}"""));
        gw.putRoute("1", gw.route("/hello", "{\"key-auth\": {}}"));
        gw.putRoute("2", gw.route("/basic", "{\"basic-auth\": {}}"));

        assertEquals(200, gw.send("GET", "/hello", "apikey", KEY).status());
        assertEquals(429, gw.send("GET", "/hello?apikey=" + KEY).status());
        assertEquals(401, gw.send("GET", "/hello", "apikey", KEY + "-wrong").status());
        String basic = java.util.Base64.getEncoder().encodeToString(("rose:" + PASSWORD).getBytes());
        assertEquals(200, gw.send("GET", "/basic", "Authorization", "Basic " + basic).status());
        String wrong = java.util.Base64.getEncoder().encodeToString(("rose:" + PASSWORD + "x").getBytes());
        assertEquals(401, gw.send("GET", "/basic", "Authorization", "Basic " + wrong).status());
        answers.add(gw.admin("GET", "/apisix/admin/consumers", ""));
        answers.add(gw.admin("GET", "/apisix/admin/consumers/jack", ""));
        answers.add(gw.admin("GET", "/apisix/admin/consumers/rose", ""));
        answers.add(gw.admin("GET", "/apisix/admin/explain?uri=/hello&consumer=jack", ""));
        answers.add(gw.admin("GET", "/apisix/admin/explain?uri=/basic&consumer=rose", ""));

        assertEquals(400, answers.get(3).status(), "the duplicate is refused without showing the key");
        for (PluginGateway.Response answer : answers) {
            assertFalse(answer.body().contains(KEY) || answer.body().contains(PASSWORD), answer.body());
        }
        assertTrue(answers.get(6).body().contains("\"key\":\"******\""), answers.get(6).body());
        assertTrue(answers.get(7).body().contains("\"password\":\"******\""), answers.get(7).body());
        assertFalse(lines.isEmpty(), "the log was captured (401s and refused configs are logged)");
        for (String line : lines) {
            assertFalse(line.contains(KEY) || line.contains(PASSWORD) || line.contains(basic), line);
        }
    }
}
