package io.gatekit.engine.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.expr.VarSource;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static RouteSpec.Builder<String> route(String id, String... uris) {
        return RouteSpec.builder(id, "payload-" + id).uris(uris);
    }

    @SafeVarargs
    private static Router<String> router(RouteSpec.Builder<String>... routes) {
        Router.Builder<String> builder = Router.builder();
        for (RouteSpec.Builder<String> route : routes) {
            builder.add(route.build());
        }
        return builder.build();
    }

    /** The id of the route a plain GET of {@code path} from 10.0.0.1 to example.com matches. */
    private static @Nullable String get(Router<String> router, String path) {
        return id(router.match("GET", "example.com", path, "10.0.0.1", null));
    }

    private static @Nullable String id(@Nullable Match<String> match) {
        return match == null ? null : match.routeId();
    }

    private static Expr vars(String json) {
        try {
            return Expr.compile(new ObjectMapper().readTree(json.replace('\'', '"')));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    @Test
    void exactUriMatchesOnlyTheWholePath() {
        Router<String> router = router(route("r", "/blog/foo"));
        assertEquals("r", get(router, "/blog/foo"));
        assertNull(get(router, "/blog/foo/"));
        assertNull(get(router, "/blog/fo"));
        assertNull(get(router, "/blog/foo/bar"));
    }

    @Test
    void exactUriBeatsPrefix() {
        Router<String> router = router(route("prefix", "/blog/foo/*").priority(100), route("exact", "/blog/foo/bar"));
        assertEquals("exact", get(router, "/blog/foo/bar"));
        assertEquals("prefix", get(router, "/blog/foo/baz"));
    }

    @Test
    void longerPrefixWins() {
        // The table of APISIX's router-radixtree documentation.
        Router<String> router = router(route("foo", "/blog/foo/*"), route("foo-a", "/blog/foo/a/*"),
                route("foo-c", "/blog/foo/c/*"), route("foo-bar", "/blog/foo/bar"));
        assertEquals("foo-bar", get(router, "/blog/foo/bar"));
        assertEquals("foo-a", get(router, "/blog/foo/a/b/c"));
        assertEquals("foo-c", get(router, "/blog/foo/c/d"));
        assertEquals("foo", get(router, "/blog/foo/gloo"));
        assertNull(get(router, "/blog/bar"));
    }

    @Test
    void slashStarPrefixDoesNotMatchThePathWithoutTheSlash() {
        Router<String> router = router(route("a", "/a/*"));
        assertEquals("a", get(router, "/a/"));
        assertEquals("a", get(router, "/a/x/y"));
        assertNull(get(router, "/a"));
        assertNull(get(router, "/ab"));
    }

    @Test
    void starPrefixMatchesCharacterByCharacter() {
        Router<String> router = router(route("equal", "/equal*"), route("equal123", "/equal123*"));
        assertEquals("equal", get(router, "/equal"));
        assertEquals("equal", get(router, "/equal12"));
        assertEquals("equal123", get(router, "/equal123"));
        assertEquals("equal123", get(router, "/equal1234/x"));
    }

    @Test
    void rootPrefixMatchesEveryPath() {
        Router<String> router = router(route("all", "/*"), route("api", "/api/*"));
        assertEquals("all", get(router, "/"));
        assertEquals("all", get(router, "/anything/at/all"));
        assertEquals("api", get(router, "/api/x"));
    }

    @Test
    void higherPriorityWinsForSameUri() {
        Router<String> router = router(route("low", "/hello").priority(2), route("high", "/hello").priority(3),
                route("prefix-low", "/p/*"), route("prefix-high", "/p/*").priority(1));
        assertEquals("high", get(router, "/hello"));
        assertEquals("prefix-high", get(router, "/p/x"));
    }

    @Test
    void negativePriorityLosesToTheDefault() {
        Router<String> router = router(route("lowest", "/x").priority(Integer.MIN_VALUE),
                route("negative", "/x").priority(-1), route("default", "/x"));
        assertEquals("default", get(router, "/x"));
    }

    @Test
    void samePriorityKeepsTheOrderRoutesWereAdded() {
        assertEquals("first", get(router(route("first", "/aa"), route("second", "/aa")), "/aa"));
        assertEquals("second", get(router(route("second", "/aa*"), route("first", "/aa*")), "/aa/bb"));
    }

    @Test
    void priorityDoesNotBeatALongerKey() {
        Router<String> router = router(route("short", "/a/*").priority(100), route("long", "/a/b/*"));
        assertEquals("long", get(router, "/a/b/c"));
    }

    @Test
    void fallsBackWhenHostDoesNotMatch() {
        Router<String> router = router(route("foo", "/hello").hosts("foo.com").priority(10),
                route("any", "/hello"));
        assertEquals("foo", id(router.match("GET", "foo.com", "/hello", null, null)));
        assertEquals("any", id(router.match("GET", "bar.com", "/hello", null, null)));
    }

    @Test
    void fallsBackFromExactToPrefixAndFromLongerToShorterPrefix() {
        Router<String> router = router(route("exact", "/a/b/c").methods("POST"),
                route("long", "/a/b/*").methods("PUT"), route("short", "/a/*"));
        assertEquals("exact", id(router.match("POST", null, "/a/b/c", null, null)));
        assertEquals("long", id(router.match("PUT", null, "/a/b/c", null, null)));
        assertEquals("short", id(router.match("GET", null, "/a/b/c", null, null)));
    }

    @Test
    void returnsNullWhenNoRouteMatches() {
        Router<String> router = router(route("a", "/a").methods("GET"), route("b", "/b/*"));
        assertNull(get(router, "/c"));
        assertNull(id(router.match("POST", null, "/a", null, null)));
        assertNull(get(router(), "/a"));
    }

    @Test
    void paramSegmentsAreCaptured() {
        Router<String> router = router(route("profile", "/user/:id/profile/:section"));
        Match<String> match = router.match("GET", null, "/user/42/profile/avatar", null, null);
        assertEquals("profile", match.routeId());
        assertEquals("payload-profile", match.payload());
        assertEquals("/user/:id/profile/:section", match.uri());
        assertEquals(2, match.paramCount());
        assertEquals("id", match.paramName(0));
        assertEquals("42", match.paramValue(0));
        assertEquals("avatar", match.param("section"));
        assertNull(match.param("missing"));
        assertEquals(Map.of("id", "42", "section", "avatar"), match.params());
        assertEquals(List.of("id", "section"), List.copyOf(match.params().keySet()));
    }

    @Test
    void paramTakesOneWholeNonEmptySegment() {
        Router<String> router = router(route("user", "/user/:id"));
        assertEquals("user", get(router, "/user/john"));
        assertEquals("user", get(router, "/user/john.doe:x"));
        assertNull(get(router, "/user/"));
        assertNull(get(router, "/user"));
        assertNull(get(router, "/user/john/"));
        assertNull(get(router, "/user/john/send"));
    }

    @Test
    void trailingSlashAfterAParamIsLiteral() {
        Router<String> router = router(route("slash", "/user/:id/"));
        assertEquals("slash", get(router, "/user/john/"));
        assertNull(get(router, "/user/john"));
    }

    @Test
    void paramRouteIsTriedBeforeAShorterUriUnderTheSameKey() {
        Router<String> router = router(route("star", "/user/*"), route("id", "/user/:id"),
                route("profile", "/user/:id/profile"));
        assertEquals("id", get(router, "/user/1"));
        assertEquals("profile", get(router, "/user/1/profile"));
        assertEquals("star", get(router, "/user/1/other"));
        assertEquals("star", get(router, "/user/"));
    }

    @Test
    void namedWildcardCapturesTheRestOfThePath() {
        Router<String> router = router(route("files", "/files/*path"), route("action", "/login/:user/*action"));
        Match<String> files = router.match("GET", null, "/files/a/b.txt", null, null);
        assertEquals("a/b.txt", files.param("path"));
        assertEquals("", router.match("GET", null, "/files/", null, null).param("path"));
        assertNull(get(router, "/files"));
        Match<String> action = router.match("GET", null, "/login/john/send/now", null, null);
        assertEquals(Map.of("user", "john", "action", "send/now"), action.params());
        assertNull(get(router, "/login/john"));
    }

    @Test
    void unnamedStarAfterAParamIsNotCaptured() {
        Router<String> router = router(route("r", "/user/:id/*"));
        Match<String> match = router.match("GET", null, "/user/7/a/b", null, null);
        assertEquals(Map.of("id", "7"), match.params());
        assertEquals("r", get(router, "/user/7/"));
    }

    @Test
    void colonInsideASegmentIsLiteral() {
        Router<String> router = router(route("r", "/v1/items:batch"));
        assertEquals("r", get(router, "/v1/items:batch"));
        assertNull(get(router, "/v1/items"));
    }

    @Test
    void uriWithoutParamsReturnsTheSameMatchEveryTime() {
        Router<String> router = router(route("exact", "/a"), route("prefix", "/b/*"));
        Match<String> first = router.match("GET", null, "/a", null, null);
        assertSame(first, router.match("GET", null, "/a", null, null));
        assertSame(router.match("GET", null, "/b/1", null, null), router.match("GET", null, "/b/2", null, null));
        assertEquals(0, first.paramCount());
        assertTrue(first.params().isEmpty());
        assertThrows(IndexOutOfBoundsException.class, () -> first.paramName(0));
    }

    @Test
    void hostsAreCaseInsensitive() {
        Router<String> router = router(route("r", "/").hosts("Foo.COM"));
        assertEquals("r", id(router.match("GET", "foo.com", "/", null, null)));
        assertEquals("r", id(router.match("GET", "FOO.com", "/", null, null)));
        assertNull(id(router.match("GET", "foo.co", "/", null, null)));
    }

    @Test
    void wildcardHostMatchesSubdomainsButNotTheDomainItself() {
        Router<String> router = router(route("r", "/").hosts("*.foo.com", "bar.com"));
        assertEquals("r", id(router.match("GET", "a.foo.com", "/", null, null)));
        assertEquals("r", id(router.match("GET", "A.B.Foo.Com", "/", null, null)));
        assertEquals("r", id(router.match("GET", "bar.com", "/", null, null)));
        assertNull(id(router.match("GET", "foo.com", "/", null, null)));
        assertNull(id(router.match("GET", "xfoo.com", "/", null, null)));
    }

    @Test
    void requestWithoutHostMatchesOnlyRoutesWithoutHosts() {
        Router<String> router = router(route("hosted", "/").hosts("foo.com").priority(1), route("any", "/"));
        assertEquals("any", id(router.match("GET", null, "/", null, null)));
    }

    @Test
    void methodsRestrictTheRoute() {
        Router<String> router = router(route("write", "/r").methods("POST", "PUT").priority(1), route("any", "/r"));
        assertEquals("write", id(router.match("POST", null, "/r", null, null)));
        assertEquals("write", id(router.match("PUT", null, "/r", null, null)));
        assertEquals("any", id(router.match("GET", null, "/r", null, null)));
        assertEquals("any", id(router.match("post", null, "/r", null, null)));
        assertEquals("any", id(router.match("BREW", null, "/r", null, null)));
        assertEquals("any", id(router.match(null, null, "/r", null, null)));
    }

    @Test
    void remoteAddrsRestrictTheRoute() {
        Router<String> router = router(route("inside", "/r").remoteAddrs("10.0.0.0/8", "fd00::/8").priority(1),
                route("outside", "/r"));
        assertEquals("inside", id(router.match("GET", null, "/r", "10.20.30.40", null)));
        assertEquals("inside", id(router.match("GET", null, "/r", "fd12::1", null)));
        assertEquals("outside", id(router.match("GET", null, "/r", "192.168.1.1", null)));
        assertEquals("outside", id(router.match("GET", null, "/r", null, null)));
    }

    @Test
    void withoutAnAddressGivenRemoteAddrsReadTheRemoteAddrVariableOnlyWhenARouteChecksIt() {
        Router<String> router = router(route("inside", "/r").remoteAddrs("10.0.0.0/8").priority(1),
                route("outside", "/r"), route("open", "/open"));
        List<String> asked = new ArrayList<>();
        VarSource client = name -> {
            asked.add(name);
            return name.equals("remote_addr") ? "10.1.2.3" : null;
        };

        assertEquals("open", id(router.match("GET", null, "/open", null, client)));
        assertEquals(List.of(), asked, "no route on /open checks the address");
        assertEquals("inside", id(router.match("GET", null, "/r", null, client)));
        assertEquals(List.of("remote_addr"), asked);
        assertEquals("outside", id(router.match("GET", null, "/r", null, name -> "192.168.1.1")));
        assertEquals("inside", id(router.match("GET", null, "/r", "10.9.9.9", name -> "192.168.1.1")),
                "an address given wins over the variable");
    }

    @Test
    void varsRestrictTheRoute() {
        Router<String> router = router(
                route("beta", "/r").vars(vars("[['http_x_version', '==', 'beta']]")).priority(1),
                route("stable", "/r"));
        VarSource beta = name -> name.equals("http_x_version") ? "beta" : null;
        assertEquals("beta", id(router.match("GET", null, "/r", null, beta)));
        assertEquals("stable", id(router.match("GET", null, "/r", null, name -> null)));
        assertEquals("stable", id(router.match("GET", null, "/r", null, null)));
    }

    @Test
    void everyUriOfARouteMatchesIt() {
        Router<String> router = router(route("r", "/", "/aa", "/bb/*", "/cc/:id"), route("other", "/dd"));
        for (String path : new String[] {"/", "/aa", "/bb/x", "/cc/1"}) {
            assertEquals("r", get(router, path), path);
        }
        assertEquals("other", get(router, "/dd"));
        assertEquals(2, router.size());
    }

    @Test
    void keysAreTheTextBeforeTheFirstStarOrParam() {
        Router<String> router = router(route("r", "/a/*", "/a*", "/user/:id/x", "/files/*path", "/exact"));
        assertEquals(List.of("/a", "/a/", "/files/", "/user/"), router.keys().stream().sorted().toList());
    }

    @Test
    void duplicateRouteIdIsRejected() {
        Router.Builder<String> builder = Router.<String>builder().add(route("r", "/a").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.add(route("r", "/b").build()));
        assertEquals("id: \"r\" (expected unique route ids; this one was added twice)", e.getMessage());
    }

    @Test
    void matchingAnExactUriAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        Router<String> router = router(route("exact", "/api/orders").methods("GET").hosts("*.shop.com")
                        .remoteAddrs("10.0.0.0/8").vars(vars("[['arg_v', '>=', 2]]")),
                route("prefix", "/static/*"), route("param", "/user/:id"));
        VarSource vars = name -> "3";
        int rounds = 200_000;
        int found = 0;
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < rounds; i++) {
            found += router.match("GET", "eu.shop.com", "/api/orders", "10.1.1.1", vars) != null ? 1 : 0;
            found += router.match("GET", "eu.shop.com", "/static/app.js", "10.1.1.1", vars) != null ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(2 * rounds, found);
        assertTrue(allocated < rounds, "allocated " + allocated + " bytes over " + 2 * rounds + " matches");
    }
}
