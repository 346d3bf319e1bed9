package io.gatekit.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpModelTest {

    @Test
    void headersAreCaseInsensitiveMultiValuedAndKeepTheirOrderAndCase() {
        HttpHeaders headers = HttpHeaders.of("Set-Cookie", "a=1", "Content-Type", "text/plain");
        headers.add("set-cookie", "b=2");

        assertEquals(List.of("a=1", "b=2"), headers.all("SET-COOKIE"));
        assertEquals("text/plain", headers.get("content-type"));
        assertEquals("Set-Cookie", headers.name(0));

        headers.set("SET-COOKIE", "c=3");
        assertEquals(List.of("c=3"), headers.all("set-cookie"));
        assertTrue(headers.remove("Content-Type"));
        assertFalse(headers.contains("content-type"));
        assertEquals(1, headers.size());
    }

    @Test
    void headerNamesMatchAsEqualsIgnoreCaseDoes() {
        String[][] pairs = {
            {"Host", "host"}, {"X-API-KEY", "x-api-key"}, {"host", "hosT"}, {"Host", "Hos"},
            {"a@b", "a`b"}, {"a[b", "a{b"}, {"a^b", "a~b"}, {"x-1", "X-1"}, {"x-1", "x-2"},
            {"Straße", "STRASSE"}, {"Ärger", "ärger"}, {"ärger", "Ärgern"}, {"k\u212A", "kk"}, {"\u212A", "k"},
        };
        for (String[] pair : pairs) {
            boolean expected = pair[0].equalsIgnoreCase(pair[1]);
            assertEquals(expected, HttpHeaders.sameName(pair[0], pair[1]), pair[0] + " vs " + pair[1]);
            assertEquals(expected, HttpHeaders.of(pair[0], "v").get(pair[1]) != null, pair[0] + " vs " + pair[1]);
        }
    }

    @Test
    void headersGrowPastTheirInitialCapacity() {
        HttpHeaders headers = HttpHeaders.of();
        for (int i = 0; i < 100; i++) {
            headers.add("x-" + i, Integer.toString(i));
        }

        assertEquals("99", headers.get("X-99"));
        assertEquals(100, headers.copy().size());
    }

    @Test
    void anOddNumberOfNamesAndValuesIsRejectedWithTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("a"));

        assertEquals("namesAndValues: 1 elements (expected: an even number, name then value)", e.getMessage());
    }

    @Test
    void queryArgumentsAreOrderedMultiValuedAndDecoded() {
        QueryParams query = QueryParams.parse("a=1&b=x+y&a=%33&flag&&c=%zz");

        assertEquals(List.of("1", "3"), query.all("a"));
        assertEquals("x y", query.get("b"));
        assertEquals("", query.get("flag"));
        assertEquals("%zz", query.get("c"));
        query.set("a", "9");
        assertEquals("a=9&b=x+y&flag&c=%25zz", query.encode());
    }

    @Test
    void theQueryIsParsedOnlyWhenAskedAndReEncodedWhenChanged() {
        HttpRequest request = HttpRequest.builder().uri("/p?x=1&y=2").header("Host", "Example.COM:8080").build();

        assertEquals("x=1&y=2", request.rawQuery());
        request.query().remove("x");

        assertEquals("/p?y=2", request.uri());
        assertEquals("example.com", request.host());
    }

    @Test
    void anIpv6HostKeepsItsBrackets() {
        assertEquals("[::1]", HttpRequest.builder().header("Host", "[::1]:9080").build().host());
    }

    @Test
    void theReceivedHostHeaderStaysAsSentWhateverPluginsDoToTheHeaders() {
        HttpRequest request = HttpRequest.builder().header("Host", "Example.COM:8080").build();
        request.headers().remove("host");

        assertEquals("Example.COM:8080", request.receivedHostHeader());
        assertEquals("example.com", request.host());
        assertNull(HttpRequest.builder().build().receivedHostHeader());
        assertEquals("Example.COM:8080",
                HttpRequest.builder().host("other.test").header("Host", "Example.COM:8080").build().receivedHostHeader());
    }

    @Test
    void theClientIpIsFormattedOncePerRequest() {
        HttpRequest request = HttpRequest.builder()
                .remoteAddress(new InetSocketAddress("10.1.2.3", 40000)).build();

        assertEquals("10.1.2.3", request.remoteIp());
        assertSame(request.remoteIp(), request.remoteIp());
    }

    @Test
    void aPathMustStartWithASlash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HttpRequest.builder().path("hello"));

        assertEquals("path: \"hello\" (expected: starts with /)", e.getMessage());
    }

    @Test
    void proceedIsOneSharedInstanceAndRespondCarriesTheResponse() {
        assertSame(Outcome.proceed(), Outcome.proceed());
        Outcome denied = Outcome.respond(403, "no");

        assertEquals(403, denied.response().status());
        assertThrows(IllegalStateException.class, denied::stage);
        assertNull(HttpResponse.of(204).body());
    }

    @Test
    void aStatusOutsideTheHttpRangeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpResponse.of(42));

        assertEquals("status: 42 (expected: 100..599)", e.getMessage());
    }

    @Test
    void aStatusAboveTheHttpRangeIsRejectedByTheOneRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpResponse.of(600));

        assertEquals("status: 600 (expected: 100..599)", e.getMessage());
        assertEquals(599, HttpResponse.of(599).status());
        assertThrows(IllegalArgumentException.class, () -> HttpResponse.of(200).status(999));
    }
}
