package io.gatekit.engine.internal.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LuaNumberTest {

    @Test
    void readsWhatLuaTonumberReads() {
        assertEquals(10, LuaNumber.parse("10"));
        assertEquals(-2.5, LuaNumber.parse(" -2.5\t"));
        assertEquals(0.5, LuaNumber.parse(".5"));
        assertEquals(5, LuaNumber.parse("5."));
        assertEquals(1500, LuaNumber.parse("1.5e3"));
        assertEquals(255, LuaNumber.parse("0xff"));
        assertEquals(-16, LuaNumber.parse("-0X10"));
        assertEquals(Double.POSITIVE_INFINITY, LuaNumber.parse("inf"));
        assertEquals(Double.NEGATIVE_INFINITY, LuaNumber.parse("-Infinity"));
        assertEquals(0.1, LuaNumber.parse("0.1"));
        assertEquals(123456789012345678901.0, LuaNumber.parse("123456789012345678901"));
        assertEquals(0.30000000000000004, LuaNumber.parse("0.30000000000000004"));
    }

    @Test
    void readsAnythingElseAsNotANumber() {
        for (String text : new String[] {"", " ", "abc", "1a", "1.2.3", "--1", "+-1", "1e", "1e+", ".", "0x",
                "0xg", "nan", "infinit", "1 2", "١٢"}) {
            assertTrue(Double.isNaN(LuaNumber.parse(text)), text);
        }
        assertTrue(Double.isNaN(LuaNumber.parse(null)));
    }
}
