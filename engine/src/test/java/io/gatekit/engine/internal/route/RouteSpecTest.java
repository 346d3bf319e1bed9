package io.gatekit.engine.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.api.match.IpSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RouteSpecTest {

    private static void assertRejected(String message, Executable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    @Test
    void keepsItsFieldsWithDefaults() {
        RouteSpec<Integer> spec = RouteSpec.builder("r1", 7).uris("/a", "/b/*", "/a").build();
        assertEquals("r1", spec.id());
        assertEquals(7, spec.payload());
        assertEquals(List.of("/a", "/b/*"), spec.uris());
        assertEquals(List.of(), spec.hosts());
        assertEquals(List.of(), spec.methods());
        assertEquals(List.of(), spec.remoteAddrs());
        assertNull(spec.vars());
        assertEquals(0, spec.priority());
    }

    @Test
    void needsAnIdAndAUri() {
        assertRejected("id: \"\" (expected a non-empty route id)", () -> RouteSpec.builder("", 1));
        assertRejected("uris: [] (expected at least one path, such as /api/* or /user/:id)",
                () -> RouteSpec.builder("r", 1).build());
    }

    @Test
    void uriMustStartWithASlash() {
        assertRejected("uris[1]: \"api/*\" (expected a path starting with /, such as /api/*, /user/:id"
                + " or /index.html)", () -> RouteSpec.builder("r", 1).uris("/ok", "api/*").build());
    }

    @Test
    void uriErrorsGiveTheIndexAsConfigured() {
        assertRejected("uris[2]: \"nope\" (expected a path starting with /, such as /api/*, /user/:id"
                + " or /index.html)", () -> RouteSpec.builder("r", 1).uris("/a", "/a", "nope").build());
    }

    @Test
    void starIsOnlyAllowedAtTheEnd() {
        for (String uri : new String[] {"/a/*/b", "/a*b", "/a/:id/x*", "/a/*name/b", "/a**"}) {
            assertRejected("uris[0]: \"" + uri + "\" (expected '*' only at the end, as in /api/*, /api*"
                    + " or /files/*path)", () -> RouteSpec.builder("r", 1).uris(uri).build());
        }
    }

    @Test
    void paramNamesMustBePresentAndDistinct() {
        assertRejected("uris[0]: \"/a/:/b\" (expected a parameter name after ':' or '*' that has no ':'"
                + " or '*', as in /user/:id or /files/*path)", () -> RouteSpec.builder("r", 1).uris("/a/:/b").build());
        assertRejected("uris[0]: \"/a/:id/:id\" (expected distinct parameter names; 'id' appears twice)",
                () -> RouteSpec.builder("r", 1).uris("/a/:id/:id").build());
    }

    @Test
    void methodsMustBeKnown() {
        assertRejected("methods[1]: \"get\" (expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS,"
                + " CONNECT, TRACE, PURGE)", () -> RouteSpec.builder("r", 1).uris("/").methods("GET", "get").build());
    }

    @Test
    void hostsMustBeHostNamesWithAnOptionalLeadingStar() {
        assertRejected("hosts[0]: \"a.*.com\" (expected a host name, optionally starting with *, such as"
                + " foo.com or *.foo.com, or * for any host)",
                () -> RouteSpec.builder("r", 1).uris("/").hosts("a.*.com").build());
    }

    @Test
    void remoteAddrsMustBeAddressesOrCidrs() {
        assertRejected("remote_addrs[1]: \"10.0.0.0/33\" (expected " + IpSet.expectedForm() + ")",
                () -> RouteSpec.builder("r", 1).uris("/").remoteAddrs("::1", "10.0.0.0/33").build());
    }
}
