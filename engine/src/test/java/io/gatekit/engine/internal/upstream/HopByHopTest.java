package io.gatekit.engine.internal.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.api.http.HttpHeaders;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hop-by-hop rule: the fixed set and what a Connection header lists, one token or several. */
class HopByHopTest {

    @Test
    void theUsualConnectionValuesListNothingToDrop() {
        assertEquals(Set.of(), HopByHop.connectionTokens("keep-alive"));
        assertEquals(Set.of(), HopByHop.connectionTokens(" Keep-Alive "));
        assertEquals(Set.of(), HopByHop.connectionTokens("close"));
        assertEquals(Set.of(), HopByHop.connectionTokens("CLOSE"));
        assertEquals(Set.of(), HopByHop.connectionTokens(""));
        assertEquals(Set.of(), HopByHop.connectionTokens(null));
    }

    @Test
    void aListedHeaderIsDroppedWhetherAloneOrAmongOthers() {
        assertEquals(Set.of("x-secret"), HopByHop.connectionTokens(" X-Secret"));
        assertEquals(Set.of("x-secret", "x-other"), HopByHop.connectionTokens("keep-alive, X-Secret,x-other"));

        HttpHeaders alone = HttpHeaders.of("Connection", "X-Secret", "x-secret", "1", "x-kept", "2");
        HopByHop.strip(alone);
        assertEquals("HttpHeaders[x-kept=2]", alone.toString());

        HttpHeaders usual = HttpHeaders.of("Connection", "keep-alive", "Keep-Alive", "timeout=5", "x-kept", "2");
        HopByHop.strip(usual);
        assertEquals("HttpHeaders[x-kept=2]", usual.toString());
    }
}
