package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LuaTextTest {

    @ParameterizedTest
    @CsvSource({
        "10, 10",
        "1, 1",
        "-1, -1",
        "0, 0",
        "0.5, 0.5",
        "0.00001, 1e-05",
        "0.0001, 0.0001",
        "0.000001, 1e-06",
        "1.5e20, 1.5e+20",
        "100000000000000, 1e+14",
        "99999999999999, 99999999999999",
        "123456789012345678, 1.2345678901235e+17",
        "0.1, 0.1",
        "65535, 65535",
        "3.14159265358979, 3.1415926535898",
        "1e300, 1e+300",
        "-2.5e-7, -2.5e-07"})
    void numbersPrintAsLuajitTostringPrintsThem(String json, String lua) {
        assertEquals(lua, LuaText.number(json(json)));
    }

    @Test
    void oneThirdIsCutToFourteenSignificantDigits() {
        assertEquals("0.33333333333333", LuaText.number(1.0 / 3));
    }

    @Test
    void quotingEscapesQuotesBackslashesAndLineBreaks() {
        assertEquals("\"^\\\\S+$\"", LuaText.quote("^\\S+$"));
        assertEquals("\"say \\\"hi\\\"\"", LuaText.quote("say \"hi\""));
        assertEquals("\"a\\nb\\rc\"", LuaText.quote("a\nb\rc"));
        assertEquals("\"\\1\\0012\"", LuaText.quote("\u0001\u00012"));
    }

    @Test
    void luaTypeNamesFollowWhatCjsonDecodesTo() {
        assertEquals(List.of("string", "number", "boolean", "table", "table", "userdata"),
                List.of(json("\"x\""), json("1.5"), json("true"), json("{}"), json("[]"), json("null")).stream()
                        .map(LuaText::typeName).toList());
    }

    @Test
    void stringLengthCountsCharactersNotBytes() {
        assertEquals(3, LuaText.length("a\u00e9\uD83D\uDE00"));
    }

    @Test
    void requiredListsAreEncodedLikeCjson() {
        assertEquals("[\"plugins\",\"uri\"]", LuaText.cjsonArray(List.of("plugins", "uri")));
        assertEquals("[\"a\\/b\"]", LuaText.cjsonArray(List.of("a/b")));
    }
}
