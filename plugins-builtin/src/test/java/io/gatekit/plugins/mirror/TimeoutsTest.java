package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeoutsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"60s, 60000", "500ms, 500", "1m, 60000", "1m30s, 90000", "60, 60000", "1.5, 1500", "2h, 7200000"})
    void readsNginxTimesAndPlainSeconds(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Timeouts.parseNginxTime(text, "t"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10x", "0s", "-1s", "1 m"})
    void rejectsWhatIsNotAPositiveNginxTimeNamingTheField(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Timeouts.parseNginxTime(text, "plugin_attr.proxy-mirror.timeout.read"));

        assertEquals("plugin_attr.proxy-mirror.timeout.read: \"" + text + "\" (expected: a positive nginx time"
                + " such as 60s, 500ms or 1m, or a number of seconds)", e.getMessage());
    }

    @Test
    void routeTimeoutsWinOverPluginAttrWhichWinsOverTheDefault() {
        MirrorAttributes node = new MirrorAttributes(new MirrorAttributes.Timeout("2s", "3s", null));

        Timeouts t = Timeouts.resolve(new MirrorConfig.TimeoutConfig(null, null, 0.25), Optional.of(node));

        assertEquals(Duration.ofSeconds(2), t.connect());
        assertEquals(Duration.ofSeconds(60), t.send());
        assertEquals(Duration.ofMillis(250), t.read());
        assertEquals(Duration.ofMillis(2000 + 60_000 + 250 + 1000), t.deadline());
    }

    @Test
    void defaultsToSixtySecondsEachAsApisix() {
        Timeouts t = Timeouts.resolve(null, Optional.empty());

        assertEquals(Duration.ofSeconds(60), t.connect());
        assertEquals(Duration.ofSeconds(60), t.send());
        assertEquals(Duration.ofSeconds(60), t.read());
    }

    @Test
    void neverHandsTheClientAZeroTimeout() {
        Timeouts t = Timeouts.resolve(new MirrorConfig.TimeoutConfig(1e-12, null, null), Optional.empty());

        assertEquals(Duration.ofMillis(1), t.connect());
    }
}
