package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {

    /** A plugin config as authors write it: camelCase components, no annotations. */
    public record Conf(String pathConcatMode, double sampleRatio, Map<String, String> extraHeaders) {
    }

    @Test
    void snakeCaseKeysBindToCamelCaseRecordComponentsAndMapKeysStayAsTheyAre() throws Exception {
        Conf conf = ConfigBinder.bind(ConfigBinder.mapper().readTree("""
                {"path_concat_mode": "prefix", "sample_ratio": 0.5, "extra_headers": {"x_a": "1"}}"""), Conf.class);

        assertEquals("prefix", conf.pathConcatMode());
        assertEquals(0.5, conf.sampleRatio());
        assertEquals(Map.of("x_a", "1"), conf.extraHeaders());
    }

    @Test
    void camelCaseKeysStillBind() throws Exception {
        Conf conf = ConfigBinder.bind(ConfigBinder.mapper().readTree("""
                {"pathConcatMode": "replace", "sampleRatio": 1}"""), Conf.class);

        assertEquals("replace", conf.pathConcatMode());
        assertEquals(1.0, conf.sampleRatio());
    }
}
