package io.gatekit.engine.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardedMapTest {

    @Test
    void changesGiveTheEntriesOfAHashMapChangedAlikeAndLeaveTheOriginalAsItWas() {
        Random random = new Random(7);
        Map<String, Integer> model = new HashMap<>();
        ShardedMap<String, Integer> map = ShardedMap.empty();
        // 3,000 keys cross several shard counts (16, 32, 64)
        for (int step = 0; step < 20_000; step++) {
            String key = "k" + random.nextInt(3_000);
            ShardedMap<String, Integer> before = map;
            Integer beforeValue = before.get(key);
            int sizeBefore = before.size();
            if (random.nextInt(4) == 0) {
                model.remove(key);
                map = map.without(key);
            } else {
                model.put(key, step);
                map = map.with(key, step);
            }
            assertEquals(model.get(key), map.get(key), key);
            assertEquals(model.size(), map.size());
            assertEquals(beforeValue, before.get(key), "the original changed");
            assertEquals(sizeBefore, before.size(), "the original changed");
        }
        assertEquals(model, map.toMap());
        Map<String, Integer> visited = new HashMap<>();
        map.forEach(visited::put);
        assertEquals(model, visited);
        assertEquals(model, ShardedMap.of(model).toMap());
    }

    @Test
    void removingAnAbsentKeyReturnsTheSameMap() {
        ShardedMap<String, Integer> map = ShardedMap.of(Map.of("a", 1));

        assertSame(map, map.without("b"));
        assertNull(map.get("b"));
    }
}
