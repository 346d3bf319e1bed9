package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import io.gatekit.engine.ResourceKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigStateTest {

    @Test
    void putsAndRemovesKeepInsertionOrderAsALinkedHashMapDoesAndLeaveEarlierStatesAsTheyWere() {
        Random random = new Random(3);
        Map<String, JsonNode> model = new LinkedHashMap<>();
        Map<String, JsonNode> first = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            first.put("r" + i, IntNode.valueOf(i));
        }
        model.putAll(first);
        ConfigState initial = ConfigState.empty().replaceAll(Map.of(ResourceKind.ROUTES, first));
        ConfigState state = initial;
        for (int step = 0; step < 2_000; step++) {
            String id = "r" + random.nextInt(80);
            if (random.nextInt(3) == 0) {
                model.remove(id);
                state = state.remove(ResourceKind.ROUTES, id);
            } else {
                model.put(id, IntNode.valueOf(step));
                state = state.put(ResourceKind.ROUTES, id, IntNode.valueOf(step));
            }
            if (step % 100 == 0) {
                assertEquals(entries(model), entries(state), "step " + step);
            }
        }
        assertEquals(entries(model), entries(state));
        assertEquals(entries(first), entries(initial));
    }

    private static List<String> entries(Map<String, JsonNode> map) {
        List<String> entries = new ArrayList<>();
        map.forEach((id, value) -> entries.add(id + "=" + value));
        return entries;
    }

    private static List<String> entries(ConfigState state) {
        List<String> entries = new ArrayList<>();
        state.all(ResourceKind.ROUTES).forEach((id, stored) -> entries.add(id + "=" + stored.value()));
        state.all(ResourceKind.ROUTES).keySet().forEach(id -> {
            if (state.get(ResourceKind.ROUTES, id) == null) {
                throw new AssertionError("listed but not found: " + id);
            }
        });
        return entries;
    }
}
