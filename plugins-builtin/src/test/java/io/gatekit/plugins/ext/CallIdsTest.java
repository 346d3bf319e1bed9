package io.gatekit.plugins.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Runner call ids: never 0, which the Python runner takes for a failure. */
class CallIdsTest {

    @Test
    void theFirstIdIsOne() {
        CallIds ids = new CallIds();

        assertEquals(1, ids.next());
        assertEquals(2, ids.next());
    }

    @Test
    void afterTheLargestUnsigned32BitIdComesOneNotZero() {
        CallIds ids = new CallIds(0xFFFF_FFFEL);

        assertEquals(0xFFFF_FFFEL, ids.next());
        assertEquals(0xFFFF_FFFFL, ids.next());
        assertEquals(1, ids.next());
    }
}
