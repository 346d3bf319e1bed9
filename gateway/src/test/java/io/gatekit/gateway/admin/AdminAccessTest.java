package io.gatekit.gateway.admin;

import static io.gatekit.gateway.admin.AdminFixture.KEY;
import static io.gatekit.gateway.admin.AdminFixture.LOCAL;
import static io.gatekit.gateway.admin.AdminFixture.VIEWER_KEY;
import static io.gatekit.gateway.admin.AdminFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.ResourceKind;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminAccessTest {

    private static final String ROUTE = "{\"uri\": \"/a\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}}";

    private final AdminFixture fixture = new AdminFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private AdminResponse as(HttpHeaders headers, String method, String uri, String body) {
        return fixture.call(method, uri, body, headers, LOCAL);
    }

    // ---- keys ----

    @Test
    void aRequestWithoutAKeyIsRefusedWithApisixsBody() {
        JsonNode error = json(as(HttpHeaders.of(), "GET", "/apisix/admin/routes", ""), 401);

        assertEquals("{\"error_msg\":\"failed to check token\",\"description\":\"missing apikey\"}", error.toString());
    }

    @Test
    void aWrongKeyIsRefusedAndChangesNothing() {
        JsonNode error = json(as(HttpHeaders.of("X-API-KEY", KEY + "0"), "PUT", "/apisix/admin/routes/1", ROUTE), 401);

        assertEquals("wrong apikey", error.get("description").asText());
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "1").isEmpty());
    }

    @Test
    void theKeyIsAlsoTakenFromTheApiKeyQueryArgumentAndTheXApiKeyCookie() {
        json(as(HttpHeaders.of(), "PUT", "/apisix/admin/routes/1?api_key=" + KEY, ROUTE), 201);
        json(as(HttpHeaders.of("Cookie", "a=b; x_api_key=" + KEY), "GET", "/apisix/admin/routes/1", ""), 200);
    }

    @Test
    void theQueryArgumentWinsOverTheHeaderAsInApisix() {
        JsonNode error = json(as(HttpHeaders.of("X-API-KEY", KEY), "GET", "/apisix/admin/routes?api_key=bad", ""), 401);

        assertEquals("wrong apikey", error.get("description").asText());
    }

    @Test
    void aViewerMayReadButNotWrite() {
        json(fixture.call("PUT", "/apisix/admin/routes/1", ROUTE), 201);
        HttpHeaders viewer = HttpHeaders.of("X-API-KEY", VIEWER_KEY);

        json(as(viewer, "GET", "/apisix/admin/routes/1", ""), 200);
        json(as(viewer, "GET", "/apisix/admin/plugins/list", ""), 200);
        JsonNode put = json(as(viewer, "PUT", "/apisix/admin/routes/1", ROUTE), 401);
        JsonNode delete = json(as(viewer, "DELETE", "/apisix/admin/routes/1", ""), 401);
        JsonNode reload = json(as(viewer, "PUT", "/apisix/admin/plugins/reload", ""), 401);

        assertEquals("invalid method for role viewer", put.get("description").asText());
        assertEquals("invalid method for role viewer", delete.get("description").asText());
        assertEquals("invalid method for role viewer", reload.get("description").asText());
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "1").isPresent());
    }

    @Test
    void aViewerMayRunTheDryRunsThatChangeNothing() {
        HttpHeaders viewer = HttpHeaders.of("X-API-KEY", VIEWER_KEY);

        assertEquals(200, as(viewer, "POST", "/apisix/admin/schema/validate/routes", ROUTE).status());
        json(as(viewer, "POST", "/apisix/admin/explain", "{\"uri\": \"/a\"}"), 200);
        assertTrue(fixture.engine.list(ResourceKind.ROUTES).isEmpty());
    }

    @Test
    void acceptingMissingKeysServesKeylessRequestsButStillChecksPresentedKeys() {
        AdminApi open = AdminApi.builder(fixture.engine).acceptMissingKey(true).build();

        assertEquals(201, AdminFixture.call(open, "PUT", "/apisix/admin/routes/1", ROUTE, HttpHeaders.of(), LOCAL)
                .status());
        assertEquals(401, AdminFixture.call(open, "GET", "/apisix/admin/routes/1", "",
                HttpHeaders.of("X-API-KEY", "guess"), LOCAL).status());
    }

    @Test
    void anAdminApiWithoutKeysThatRefusesMissingKeysCannotBeBuilt() {
        assertThrows(IllegalStateException.class, () -> AdminApi.builder(fixture.engine).build());
    }

    @Test
    void aKeyCannotBeGivenTwoRoles() {
        AdminApi.Builder builder = AdminApi.builder(fixture.engine).adminKey("a", "same", AdminApi.Role.ADMIN);

        assertThrows(IllegalArgumentException.class, () -> builder.adminKey("b", "same", AdminApi.Role.VIEWER));
    }

    @Test
    void keysAreComparedAsEqualLengthDigestsAndNeverKeptInClear() throws Exception {
        KeyRing ring = KeyRing.builder().add("admin", KEY, AdminApi.Role.ADMIN).build();

        assertEquals(32, KeyRing.digest("").length);
        assertEquals(32, KeyRing.digest(KEY + KEY + KEY).length);
        assertArrayEquals(KeyRing.digest(KEY), KeyRing.digest(KEY));
        KeyRing.Entry entry = ring.lookup(KEY);
        assertNotNull(entry);
        assertArrayEquals(KeyRing.digest(KEY), entry.digest());
        assertNull(ring.lookup(KEY.substring(1)));
        for (Field field : KeyRing.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                assertFalse(field.getType() == String.class || field.getType() == char[].class, field.toString());
            }
        }
        for (Field field : KeyRing.Entry.class.getDeclaredFields()) {
            field.setAccessible(true);
            assertFalse(KEY.equals(field.get(entry)), field + " holds the key in clear");
        }
    }

    // ---- allow_admin ----

    @Test
    void theDefaultAllowAdminIsApisixsLoopbackSlash24() {
        assertEquals(200, fixture.call("GET", "/apisix/admin/routes", "", HttpHeaders.of("X-API-KEY", KEY),
                "127.0.0.200").status());
        JsonNode refused = json(fixture.call("GET", "/apisix/admin/routes", "", HttpHeaders.of("X-API-KEY", KEY),
                "127.0.1.1"), 403);

        assertTrue(refused.get("error_msg").asText().contains("127.0.1.1"), refused.toString());
    }

    @Test
    void aClientOutsideAllowAdminIsRefusedBeforeItsKeyIsLookedAt() {
        JsonNode refused = json(fixture.call("PUT", "/apisix/admin/routes/1", ROUTE, HttpHeaders.of(), "10.0.0.1"),
                403);

        assertTrue(refused.has("error_msg"));
        assertTrue(fixture.engine.get(ResourceKind.ROUTES, "1").isEmpty());
    }

    @Test
    void allowAdminMatchesIpv4AndIpv6Cidrs() {
        AdminApi api = AdminApi.builder(fixture.engine).adminKey("admin", KEY, AdminApi.Role.ADMIN)
                .allowAdmin(List.of("10.1.0.0/16", "192.168.1.7", "fd00:1::/32", "::1")).build();
        HttpHeaders key = HttpHeaders.of("X-API-KEY", KEY);

        for (String allowed : List.of("10.1.255.3", "192.168.1.7", "fd00:1:ffff::9", "::1", "0:0:0:0:0:0:0:1",
                "::ffff:10.1.2.3", "fd00:1::1%eth0")) {
            assertEquals(200, AdminFixture.call(api, "GET", "/apisix/admin/routes", "", key, allowed).status(),
                    allowed);
        }
        for (String refused : List.of("10.2.0.1", "192.168.1.8", "fd00:2::1", "::2", "127.0.0.1", "not-an-ip", "")) {
            assertEquals(403, AdminFixture.call(api, "GET", "/apisix/admin/routes", "", key, refused).status(),
                    refused);
        }
    }

    @Test
    void allowAdminHonoursPrefixesThatAreNotWholeBytes() {
        AllowAdmin ranges = AllowAdmin.of(List.of("10.0.0.0/13", "2001:db8::/33"));

        assertTrue(ranges.allows("10.7.255.255"));
        assertFalse(ranges.allows("10.8.0.0"));
        assertTrue(ranges.allows("2001:db8:7fff::1"));
        assertFalse(ranges.allows("2001:db8:8000::1"));
    }

    @Test
    void anIpv4MappedClientIsCheckedAsItsIpv4AddressAsNginxDoes() {
        AllowAdmin ipv4Only = AllowAdmin.of(List.of("127.0.0.0/24"));

        for (String mapped : List.of("::ffff:127.0.0.1", "[::ffff:127.0.0.9]", "::ffff:7f00:2", "0:0:0:0:0:ffff:7f00:1")) {
            assertTrue(ipv4Only.allows(mapped), mapped);
        }
        assertFalse(ipv4Only.allows("::ffff:127.0.1.1"));
        assertFalse(ipv4Only.allows("::127.0.0.1"), "an IPv4-compatible address is IPv6, not mapped");
        assertTrue(AllowAdmin.of(List.of("::1")).allows("::1%lo"), "a zone is not part of the address");
        assertFalse(AllowAdmin.of(List.of("::ffff:0:0/96")).allows("127.0.0.1"),
                "a client is matched as the IPv4 address nginx sees, and IPv4 entries guard it");
    }

    @Test
    void anAllowAdminEntryThatIsNoAddressIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AllowAdmin.of(List.of("10.0.0.0/8", "localhost")));

        assertEquals("allowAdmin[1]: \"localhost\" (expected an IPv4 or IPv6 address or CIDR, such as 127.0.0.1,"
                + " 192.168.0.0/16, ::1 or fe80::/10)", e.getMessage());
    }

    @Test
    void anEmptyAllowAdminRefusesEveryoneAsApisixsDenyAll() {
        AdminApi api = AdminApi.builder(fixture.engine).adminKey("admin", KEY, AdminApi.Role.ADMIN)
                .allowAdmin(List.of()).build();

        assertEquals(403, AdminFixture.call(api, "GET", "/apisix/admin/routes", "", HttpHeaders.of("X-API-KEY", KEY),
                LOCAL).status());
    }

    @Test
    void allowAdminFromAnywhereLetsEveryAddressReachTheKeyCheck() {
        AdminApi api = AdminApi.builder(fixture.engine).adminKey("admin", KEY, AdminApi.Role.ADMIN)
                .allowAdminFromAnywhere().build();

        assertEquals(200, AdminFixture.call(api, "GET", "/apisix/admin/routes", "", HttpHeaders.of("X-API-KEY", KEY),
                "203.0.113.9").status());
        assertEquals(401, AdminFixture.call(api, "GET", "/apisix/admin/routes", "", HttpHeaders.of(),
                "203.0.113.9").status());
    }

    @Test
    void anAllowAdminEntryThatIsNotACidrIsRejectedAtBuildTime() {
        for (String bad : List.of("localhost", "10.0.0.0/33", "::1/129", "1.2.3", "10.0.0.256", "10.0.0.0/")) {
            assertThrows(IllegalArgumentException.class, () -> AdminApi.builder(fixture.engine)
                    .allowAdmin(List.of(bad)), bad);
        }
    }

    // ---- the rest of the envelope ----

    @Test
    void headOnThePrefixIsALivenessProbe() {
        AdminResponse response = fixture.call("HEAD", "/apisix/admin", "", HttpHeaders.of(), LOCAL);

        assertEquals(200, response.status());
        assertEquals(0, response.body().length);
    }

    @Test
    void aPathOutsideThePrefixIsNotFound() {
        assertEquals(404, fixture.call("GET", "/hello").status());
    }

    @Test
    void anUnexpectedFailureIsAnsweredWith500AndNeverThrown() {
        AdminApi api = AdminApi.builder(fixture.engine).adminKey("admin", KEY, AdminApi.Role.ADMIN).build();
        fixture.engine.close();

        AdminResponse response = AdminFixture.call(api, "PUT", "/apisix/admin/routes/1", ROUTE,
                HttpHeaders.of("X-API-KEY", KEY), LOCAL);

        JsonNode error = json(response, 500);
        assertTrue(error.get("error_msg").asText().startsWith("internal error: "), error.toString());
    }
}
