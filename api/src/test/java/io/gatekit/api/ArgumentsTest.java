package io.gatekit.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.api.http.HttpStatus;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void aBadArgumentIsNamedWithWhatItGotAndWhatItTakes() {
        assertEquals("timeout: -1 (expected: > 0)", Arguments.invalid("timeout", -1, "> 0").getMessage());
        assertEquals("name: \"\" (expected: not blank)", Arguments.message("name", "\"\"", "not blank"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Arguments.check(false, "port", 70000, "1..65535"));
        assertEquals("port: 70000 (expected: 1..65535)", e.getMessage());
        assertDoesNotThrow(() -> Arguments.check(true, "port", 80, "1..65535"));
    }

    @Test
    void aStatusOnTheWireIsOneHundredToFiveNinetyNine() {
        assertEquals(100, HttpStatus.check("status", 100));
        assertEquals(599, HttpStatus.check("status", 599));
        assertEquals("status: 99 (expected: 100..599)",
                assertThrows(IllegalArgumentException.class, () -> HttpStatus.check("status", 99)).getMessage());
        assertEquals("status: 600 (expected: 100..599)",
                assertThrows(IllegalArgumentException.class, () -> HttpStatus.check("status", 600)).getMessage());
    }

    @Test
    void zeroStandsForNoStatusWhereTheRunnerProtocolAllowsIt() {
        assertEquals(0, HttpStatus.checkOrZero("runner status", 0));
        assertEquals(404, HttpStatus.checkOrZero("runner status", 404));
        assertEquals("runner status: 999 (expected: 0 or 100..599)", assertThrows(IllegalArgumentException.class,
                () -> HttpStatus.checkOrZero("runner status", 999)).getMessage());
    }
}
