package io.gatekit.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.Engine;
import java.nio.charset.StandardCharsets;

/** An engine with the test plugins, an Admin API over it, and shorthands to call it. */
final class AdminFixture implements AutoCloseable {

    /** The admin key of the seeds' curl examples. */
    static final String KEY = "edd1c9f034335f136f87ad84b625c8f1";
    static final String VIEWER_KEY = "4054f7cf07e344346cd3f287985e76a2";
    static final String LOCAL = "127.0.0.1";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    final Engine engine;
    final AdminApi admin;

    AdminFixture() {
        engine = Engine.builder()
                .plugin(new TestPlugins.MirrorStandIn())
                .plugin(new TestPlugins.PostRespStandIn())
                .plugin(new TestPlugins.Stamp())
                .build();
        admin = AdminApi.builder(engine)
                .adminKey("admin", KEY, AdminApi.Role.ADMIN)
                .adminKey("viewer", VIEWER_KEY, AdminApi.Role.VIEWER)
                .build();
    }

    /** {@code method uri} with the admin key in X-API-KEY, from 127.0.0.1; {@code uri} may carry a query. */
    AdminResponse call(String method, String uri, String body) {
        return call(method, uri, body, HttpHeaders.of("X-API-KEY", KEY), LOCAL);
    }

    AdminResponse call(String method, String uri) {
        return call(method, uri, "");
    }

    AdminResponse call(String method, String uri, String body, HttpHeaders headers, String remoteIp) {
        return call(admin, method, uri, body, headers, remoteIp);
    }

    static AdminResponse call(AdminApi api, String method, String uri, String body, HttpHeaders headers,
            String remoteIp) {
        int q = uri.indexOf('?');
        return api.handle(new AdminRequest(method, q < 0 ? uri : uri.substring(0, q),
                q < 0 ? null : uri.substring(q + 1), headers, body.getBytes(StandardCharsets.UTF_8), remoteIp));
    }

    /** The body as JSON, after checking the status and the content type. */
    static JsonNode json(AdminResponse response, int status) {
        assertEquals(status, response.status(), response.bodyText());
        assertEquals("application/json", response.headers().get("content-type"));
        return parse(response.bodyText());
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
