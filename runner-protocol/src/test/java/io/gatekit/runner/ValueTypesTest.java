package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Builders check arguments at once; built values cannot change. */
class ValueTypesTest {

    @Test
    void idsAndStatusesMustFitTheirUnsignedWireTypes() {
        assertEquals("id: 4294967296 (expected: 0..4294967295)",
                assertThrows(IllegalArgumentException.class, () -> HttpReqCall.builder().id(1L << 32)).getMessage());
        assertEquals("id: -1 (expected: 0..4294967295)",
                assertThrows(IllegalArgumentException.class, () -> HttpRespCall.builder().id(-1)).getMessage());
        assertEquals("status: 65536 (expected: 0..65535)",
                assertThrows(IllegalArgumentException.class, () -> ReqAction.stop().status(65536)).getMessage());
        assertEquals("status: -1 (expected: 0..65535)",
                assertThrows(IllegalArgumentException.class, () -> Reply.builder().status(-1)).getMessage());
    }

    @Test
    void aSourceAddressIsFourOrSixteenBytes() {
        assertEquals("sourceIp: 5 bytes (expected: 0, 4 or 16)",
                assertThrows(IllegalArgumentException.class, () -> HttpReqCall.builder().sourceIp(new byte[5])).getMessage());
        assertEquals(16, HttpReqCall.builder().sourceIp(new byte[16]).build().sourceIp().length);
    }

    @Test
    void aConfNeedsAnIdAndAVersionAndDefaultsItsKeyToBoth() {
        assertEquals("id: null (expected: set with id(String))",
                assertThrows(IllegalStateException.class, () -> RunnerConf.builder().version(1).build()).getMessage());
        assertEquals("version: \"\" (expected: a non-empty string)",
                assertThrows(IllegalArgumentException.class, () -> RunnerConf.builder().version("")).getMessage());
        assertEquals("global_rule#1#ext-plugin-post-req#7",
                RunnerConf.builder().id("global_rule#1#ext-plugin-post-req").version(7).build().key());
        assertEquals("k", RunnerConf.builder().id("i").version(7).key("k").build().key());
    }

    @Test
    void methodsMapToTheirWireCodes() {
        assertEquals(0, HttpMethod.GET.code());
        assertEquals(14, HttpMethod.TRACE.code());
        assertEquals(HttpMethod.PATCH, HttpMethod.ofCode(13));
        assertEquals(Optional.empty(), HttpMethod.of("CONNECT"));
        assertEquals(Optional.of(HttpMethod.PROPFIND), HttpMethod.of("PROPFIND"));
        assertEquals("code: 15 (expected: 0..14)",
                assertThrows(IllegalArgumentException.class, () -> HttpMethod.ofCode(15)).getMessage());
    }

    @Test
    void builtValuesDoNotChangeWhenTheirInputsDo() {
        byte[] ip = {10, 0, 0, 1};
        List<TextEntry> headers = new ArrayList<>(List.of(TextEntry.of("a", "1")));
        byte[] body = {1, 2, 3};
        HttpReqCall call = HttpReqCall.builder().sourceIp(ip).headers(headers).build();
        Reply stop = ReqAction.stop().body(body).build();
        ip[0] = 99;
        headers.add(TextEntry.of("b", "2"));
        body[0] = 99;
        call.sourceIp()[1] = 99;

        assertArrayEquals(new byte[] {10, 0, 0, 1}, call.sourceIp());
        assertEquals(1, call.headers().size());
        assertThrows(UnsupportedOperationException.class, () -> call.headers().add(TextEntry.of("c", "3")));
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), stop.body());
        assertThrows(ReadOnlyBufferException.class, () -> stop.body().put(0, (byte) 7));
    }

    @Test
    void aStopAndARespCallResultAreOneReplyBuiltTheSameWay() {
        Reply stop = ReqAction.stop().status(401).addHeader("x-a", "1").addHeader(TextEntry.of("x-a", "2"))
                .body("denied").build();
        Reply result = Reply.builder().status(401).addHeader("x-a", "1")
                .addHeader(TextEntry.of("x-a", "2")).body("denied").build();

        assertEquals(stop, result);
        assertEquals(List.of(TextEntry.of("x-a", "1"), TextEntry.of("x-a", "2")), stop.headers());
        assertEquals("Reply{status=401, headers=[TextEntry[name=x-a, value=1], TextEntry[name=x-a, value=2]],"
                + " body=6 bytes}", stop.toString());
        assertEquals("Reply{status=0, headers=[], body=0 bytes}", Reply.empty().toString());
        assertTrue(Reply.empty().isEmpty());
        assertFalse(stop.isEmpty());
    }

    @Test
    void anEntryWithoutAValueMeansDeleteOrFlag() {
        assertFalse(TextEntry.nameOnly("x").hasValue());
        assertTrue(TextEntry.of("x", "").hasValue());
        assertThrows(NullPointerException.class, () -> TextEntry.of("x", null));
        assertThrows(NullPointerException.class, () -> new TextEntry(null, "v"));
    }

    @Test
    void runnerErrorsUseApisixWording() {
        assertEquals("runner error: bad request", RunnerException.runnerError(0).getMessage());
        assertEquals("runner error: unknown err 9", RunnerException.runnerError(9).getMessage());
        assertTrue(RunnerException.runnerError(2).isConfTokenNotFound());
        assertEquals(-1, new RunnerException(RunnerException.Kind.IO, "x").runnerCode());
    }

    @Test
    void anAsyncExtraInfoHandlerWaitsForItsAnswer() throws Exception {
        ExtraInfoHandler handler = ExtraInfoHandler.async(java.time.Duration.ofSeconds(5),
                question -> java.util.concurrent.CompletableFuture.supplyAsync(() -> new byte[] {42}));

        assertArrayEquals(new byte[] {42}, handler.answer(ExtraInfo.requestBody()));
    }
}
