package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginConfsKeyTest {

    private static String key(String json) throws Exception {
        JsonNode node = ConfigBinder.mapper().readTree(json);
        return PluginConfs.keyText(node, new StringBuilder()).toString();
    }

    @Test
    void theKeyTextOfAConfIsItsJsonTextAsJacksonWritesIt() throws Exception {
        for (String json : List.of("{\"a\":1,\"b\":[true,null,2.5,\"x\\\"y\"],\"c\":{\"d\":\"back\\\\slash\"}}",
                "{}", "[]", "{\"n\":-3,\"big\":12345678901234567890}")) {
            assertEquals(ConfigBinder.mapper().readTree(json).toString(), key(json), json);
        }
    }

    @Test
    void confsThatDifferOnlyInQuotingOrTypeGetDifferentKeys() throws Exception {
        assertNotEquals(key("{\"a\": \"1\"}"), key("{\"a\": 1}"));
        assertNotEquals(key("{\"a\": \"x\\\",\\\"b\\\":\\\"y\"}"), key("{\"a\": \"x\", \"b\": \"y\"}"));
        assertNotEquals(key("{\"a\": [1, 2]}"), key("{\"a\": [12]}"));
    }
}
