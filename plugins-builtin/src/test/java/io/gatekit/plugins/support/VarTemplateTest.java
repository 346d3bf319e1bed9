package io.gatekit.plugins.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.UpstreamTarget;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VarTemplateTest {

    /** Only {@link Exchange#var} is read by templates. */
    private static Exchange vars(Map<String, String> values) {
        return new Exchange() {
            @Override
            public HttpRequest request() {
                throw new UnsupportedOperationException();
            }

            @Override
            public UpstreamTarget upstream() {
                throw new UnsupportedOperationException();
            }

            @Override
            public @Nullable HttpResponse response() {
                return null;
            }

            @Override
            public @Nullable String routeId() {
                return null;
            }

            @Override
            public Phase phase() {
                return Phase.REWRITE;
            }

            @Override
            public @Nullable String var(String name) {
                return values.get(name);
            }

            @Override
            public <T> @Nullable T attr(AttributeKey<T> key) {
                return null;
            }

            @Override
            public <T> void attr(AttributeKey<T> key, @Nullable T value) {
            }
        };
    }

    private final Exchange exchange = vars(Map.of("uri", "/a", "http_x", "v", "arg_n", "1"));

    @Test
    void referencesAreReplacedAsApisixResolvesThem() {
        assertEquals("/v2/a?n=1", VarTemplate.parse("/v2$uri?n=$arg_n").resolve(exchange));
        assertEquals("[v]", VarTemplate.parse("[${ http_x }]").resolve(exchange));
        assertEquals("x--y", VarTemplate.parse("x-$unset-y").resolve(exchange));
        assertEquals("dflt", VarTemplate.parse("${unset ?? dflt}").resolve(exchange));
        assertEquals("v", VarTemplate.parse("$http_x").resolve(exchange));
        assertEquals("", VarTemplate.parse("$unset").resolve(exchange));
        assertEquals("\\$uri", VarTemplate.parse("\\$uri").resolve(exchange));
    }

    @Test
    void theCountSaysHowManyReferencesHadAValue() {
        VarTemplate t = VarTemplate.parse("$http_x $unset ${gone ?? d}");

        assertEquals(2, t.resolvedCount(exchange));
        assertEquals(0, VarTemplate.parse("$unset").resolvedCount(exchange));
        int[] counted = new int[1];
        VarTemplate.parse("$http_x").resolve(exchange, null, counted);
        VarTemplate.parse("$unset").resolve(exchange, null, counted);
        assertEquals(1, counted[0]);
        assertTrue(VarTemplate.parse("plain").isLiteral());
        assertFalse(t.isLiteral());
    }

    @Test
    void anEscaperSeesOnlyVariableValues() {
        Exchange q = vars(Map.of("http_x", "a?b"));

        assertEquals("/p?k=a%3Fb", VarTemplate.parse("/p?k=$http_x").resolve(q, v -> v.replace("?", "%3F"), null));
    }

    @Test
    void capturesReplaceDollarDigitsAndMissingGroupsGiveNothing() {
        Matcher m = Pattern.compile("^/(\\w+)/(\\d+)").matcher("/users/42");
        assertTrue(m.find());

        assertEquals("users-42-\\${9}-", VarTemplate.withCaptures("$1-${2}-\\${9}-$3", m.toMatchResult()));
        assertEquals("x", VarTemplate.withCaptures("x$1", null));
    }
}
