package io.gatekit.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The in-place reading of a caller's unsampled traceparent, and the one an unsampled call sends. */
class TraceparentsTest {

    @Test
    void onlyAValidUnsampledTraceparentIsReadInPlace() {
        assertTrue(Traceparents.unsampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));
        assertTrue(Traceparents.unsampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02"));
        assertFalse(Traceparents.unsampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "sampled");
        assertFalse(Traceparents.unsampled("00-00000000000000000000000000000000-b7ad6b7169203331-00"), "zero trace id");
        assertFalse(Traceparents.unsampled("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-00"), "zero span id");
        assertFalse(Traceparents.unsampled("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-00"), "upper case");
        assertFalse(Traceparents.unsampled("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"), "other version");
        assertFalse(Traceparents.unsampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"), "too short");
        assertFalse(Traceparents.unsampled(null));
    }

    @Test
    void theTraceparentOfAnUnsampledCallIsValidAndUnsampled() {
        for (int i = 0; i < 1000; i++) {
            String traceparent = UnsampledRoot.traceparent(ThreadLocalRandom.current());
            assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), traceparent);
            assertTrue(Traceparents.unsampled(traceparent), traceparent);
        }
    }
}
