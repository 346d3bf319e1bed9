package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.internal.route.Router;
import io.gatekit.engine.internal.route.ShardedMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is drained (and the instances it holds closed) only once no request is pinned to it.
 * The count of pins and the retired flag are one word, so "the last request left a retired
 * snapshot" is one atomic observation; IncrementalApplyTest races real requests against changes.
 */
class SnapshotPinningTest {

    private static Snapshot snapshot() {
        return new Snapshot(1, ConfigState.empty(), Router.<CompiledRoute>builder().build(), ShardedMap.empty(),
                CompiledRoute.none(), List.of(), Map.of());
    }

    @Test
    void aRetiredSnapshotDrainsWhenItsLastRequestLeavesNotBefore() {
        Snapshot snapshot = snapshot();
        snapshot.acquire();
        snapshot.acquire();

        snapshot.retire();
        snapshot.release();
        boolean drainedWithOneLeft = snapshot.drained();
        snapshot.release();

        assertEquals(false, drainedWithOneLeft);
        assertTrue(snapshot.drained());
    }
}
