package io.gatekit.runner.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.HttpMethod;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerConf;
import io.gatekit.runner.RunnerException;
import io.gatekit.runner.TextEntry;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message through the writer and back through the reader, plus bytes the real runner sends. */
class MessageCodecTest {

    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();

    /** A copy, as a frame payload would be, so the writer's buffer can be reused. */
    private static ByteBuffer copy(ByteBuffer payload) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload.duplicate()).flip();
        return copy;
    }

    private static ByteBuffer hex(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static String hex(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void prepareConfCarriesThePluginsInOrderAndTheKey() {
        RunnerConf conf = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(42)
                .addPlugin("b", "{\"x\":1}").addPlugin("a", "").build();

        MessageReader.PrepareConf decoded = reader.prepareConf(copy(writer.prepareConf(conf)));

        assertEquals(List.of(TextEntry.of("b", "{\"x\":1}"), TextEntry.of("a", "")), decoded.plugins());
        assertEquals("route#1#ext-plugin-pre-req#42", decoded.key());
    }

    @Test
    void aConfWithoutPluginsLeavesTheVectorOut() {
        RunnerConf conf = RunnerConf.builder().id("c").version("v").build();

        assertEquals(List.of(), reader.prepareConf(copy(writer.prepareConf(conf))).plugins());
    }

    @Test
    void tokensAndIdsAreUnsigned32BitValues() {
        assertEquals(0xFFFF_FFFFL, reader.prepareConfResp(copy(writer.prepareConfResp(0xFFFF_FFFFL))));
        HttpReqCall call = HttpReqCall.builder().id(0xFFFF_FFFEL).build();
        ByteBuffer payload = copy(writer.httpReqCall(call, 0x8000_0000L));

        assertEquals(0xFFFF_FFFEL, reader.httpReqCall(payload).id());
        assertEquals(0x8000_0000L, reader.httpReqCallToken(payload));
    }

    @Test
    void theRunnersPrepareConfAnswerDecodes() {
        // Observed from the Java runner: a 20-byte PrepareConf.Resp carrying token 0x12345678.
        assertEquals(0x1234_5678L, reader.prepareConfResp(hex("0c000000 0000 0600 0800 0400 06000000 78563412")));
    }

    @Test
    void theRunnersErrorAnswersDecodeIncludingAnElidedCode() {
        assertEquals(2, reader.err(hex("0c00000000000600080007000600000000000002")));
        assertEquals(0, reader.err(hex("080000000400040004000000")));
    }

    @Test
    void errorsAreWrittenByteForByteAsTheRunnerWritesThem() {
        assertEquals("0c00000000000600080007000600000000000002", hex(writer.err(2)));
        assertEquals("080000000400040004000000", hex(writer.err(0)));
    }

    @Test
    void anHttpReqCallKeepsEveryField() {
        HttpReqCall call = HttpReqCall.builder().id(7).sourceIp(new byte[] {(byte) 192, (byte) 168, 0, 1})
                .method(HttpMethod.PATCH).path("/a b/é").addArg("z", "1").addArg(TextEntry.nameOnly("flag"))
                .addArg("z", "").addHeader("host", "example.com").addHeader("x-multi", "1").addHeader("x-multi", "2")
                .build();

        HttpReqCall decoded = reader.httpReqCall(copy(writer.httpReqCall(call, 5)));

        assertEquals(7, decoded.id());
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 0, 1}, decoded.sourceIp());
        assertEquals(HttpMethod.PATCH, decoded.method());
        assertEquals("/a b/é", decoded.path());
        assertEquals(call.args(), decoded.args());
        assertEquals(call.headers(), decoded.headers());
    }

    @Test
    void decodedValuesEqualTheValuesEncoded() {
        HttpReqCall call = HttpReqCall.builder().id(1).sourceIp(new byte[16]).method(HttpMethod.DELETE).path("/x")
                .addArg("a", "b").addHeader("h", "v").build();
        HttpRespCall resp = HttpRespCall.builder().id(2).status(404).addHeader("h", "v").build();
        ReqAction stop = ReqAction.stop().status(401).addHeader("h", "v").body("b").build();
        ReqAction rewrite = ReqAction.rewrite().path("/p").deleteHeader("d").setArg("a", "1").addRespHeader("r", "1")
                .body("b").build();
        Reply result = Reply.builder().status(500).addHeader("h", "v").body("b").build();

        assertEquals(call, reader.httpReqCall(copy(writer.httpReqCall(call, 1))));
        assertEquals(resp, reader.httpRespCall(copy(writer.httpRespCall(resp, 1))));
        assertEquals(stop, reader.reqAction(copy(writer.reqAction(1, stop))));
        assertEquals(rewrite, reader.reqAction(copy(writer.reqAction(1, rewrite))));
        assertEquals(result, reader.respCallResult(copy(writer.respCallResult(1, result))));
        assertEquals(rewrite.hashCode(), reader.reqAction(copy(writer.reqAction(1, rewrite))).hashCode());
    }

    @Test
    void aStopKeepsStatusHeadersAndBody() {
        ReqAction stop = ReqAction.stop().status(65535).addHeader("a", "1").addHeader("a", "2").body("no").build();

        Reply decoded = assertInstanceOf(Reply.class, reader.reqAction(copy(writer.reqAction(3, stop))));

        assertEquals(65535, decoded.status());
        assertEquals(List.of(TextEntry.of("a", "1"), TextEntry.of("a", "2")), decoded.headers());
        assertEquals("no", decoded.bodyUtf8());
    }

    @Test
    void aRewriteKeepsEveryPartIncludingRespHeadersAndBody() {
        ReqAction rewrite = ReqAction.rewrite().path("/new").setHeader("h", "v").deleteHeader("gone")
                .setArg("k", "v").deleteArg("old").addRespHeader("x-resp", "r").body("new body").build();

        ReqAction.Rewrite decoded = assertInstanceOf(ReqAction.Rewrite.class,
                reader.reqAction(copy(writer.reqAction(3, rewrite))));

        assertEquals("/new", decoded.path().orElseThrow());
        assertEquals(List.of(TextEntry.of("h", "v"), TextEntry.nameOnly("gone")), decoded.headers());
        assertEquals(List.of(TextEntry.of("k", "v"), TextEntry.nameOnly("old")), decoded.args());
        assertEquals(List.of(TextEntry.of("x-resp", "r")), decoded.respHeaders());
        assertEquals("new body", decoded.bodyUtf8());
    }

    @Test
    void anEmptyRewriteHasNoPathAndNoBody() {
        ReqAction.Rewrite decoded = assertInstanceOf(ReqAction.Rewrite.class,
                reader.reqAction(copy(writer.reqAction(0, ReqAction.rewrite().build()))));

        assertTrue(decoded.path().isEmpty());
        assertEquals(0, decoded.body().remaining());
    }

    @Test
    void noActionAndTheIdRoundTrip() {
        ByteBuffer payload = copy(writer.reqAction(0xABCD_EF01L, ReqAction.none()));

        assertSame(ReqAction.none(), reader.reqAction(payload));
        assertEquals(0xABCD_EF01L, reader.responseId(payload));
    }

    @Test
    void anHttpRespCallAndItsResultRoundTrip() {
        HttpRespCall call = HttpRespCall.builder().id(9).status(503).addHeader("Content-Type", "text/plain").build();
        ByteBuffer payload = copy(writer.httpRespCall(call, 11));
        Reply result = Reply.builder().status(200).addHeader("X", "y").body(new byte[] {0, 1, 2}).build();

        HttpRespCall decoded = reader.httpRespCall(payload);
        Reply decodedResult = reader.respCallResult(copy(writer.respCallResult(9, result)));

        assertEquals(9, decoded.id());
        assertEquals(503, decoded.status());
        assertEquals(call.headers(), decoded.headers());
        assertEquals(11, reader.httpRespCallToken(payload));
        assertEquals(200, decodedResult.status());
        assertEquals(List.of(TextEntry.of("X", "y")), decodedResult.headers());
        assertEquals(ByteBuffer.wrap(new byte[] {0, 1, 2}), decodedResult.body());
    }

    @Test
    void aResultThatChangesNothingDecodesAsUnchanged() {
        assertTrue(reader.respCallResult(copy(writer.respCallResult(1, Reply.empty()))).isEmpty());
    }

    @Test
    void everyExtraInfoQuestionRoundTrips() {
        for (ExtraInfo question : List.of(ExtraInfo.var("remote_addr"), ExtraInfo.requestBody(), ExtraInfo.responseBody())) {
            assertEquals(question, reader.extraInfoReq(copy(writer.extraInfoReq(question))));
        }
    }

    @Test
    void anAbsentAnswerDiffersFromAnEmptyOne() {
        assertNull(reader.extraInfoResp(copy(writer.extraInfoResp(null))));
        assertArrayEquals(new byte[0], reader.extraInfoResp(copy(writer.extraInfoResp(new byte[0]))));
        assertArrayEquals(new byte[] {'x'}, reader.extraInfoResp(copy(writer.extraInfoResp(new byte[] {'x'}))));
    }

    @Test
    void scalarsEqualToTheirDefaultAreLeftOut() {
        int withZero = writer.httpRespCall(HttpRespCall.builder().status(0).build(), 0).remaining();
        int withValues = writer.httpRespCall(HttpRespCall.builder().id(1).status(200).build(), 1).remaining();

        assertTrue(withZero < withValues, withZero + " < " + withValues);
    }

    @Test
    void garbageIsAProtocolErrorNotAnIndexException() {
        for (String garbage : List.of("ffffff7f", "04000000 0200", "0c000000 0000 0600 0800 0400 ffffff7f 00000000")) {
            RunnerException e = assertThrows(RunnerException.class, () -> reader.reqAction(hex(garbage)));
            assertEquals(RunnerException.Kind.PROTOCOL, e.kind());
            assertTrue(e.getMessage().startsWith("cannot decode HTTPReqCall.Resp: "), e.getMessage());
        }
    }

    @Test
    void aHeaderValueThatIsNotUtf8DecodesWithReplacementCharacters() {
        // nginx passes obs-text header bytes through; a latin-1 "café" must not fail the whole call.
        com.google.flatbuffers.FlatBufferBuilder fbb = new com.google.flatbuffers.FlatBufferBuilder();
        int name = fbb.createString("x-latin");
        int value = fbb.createString(ByteBuffer.wrap(new byte[] {'c', 'a', 'f', (byte) 0xE9}));
        fbb.startTable(2);
        fbb.addOffset(0, name, 0);
        fbb.addOffset(1, value, 0);
        int entry = fbb.endTable();
        int headers = fbb.createVectorOfTables(new int[] {entry});
        fbb.startTable(7);
        fbb.addOffset(5, headers, 0);
        fbb.finish(fbb.endTable());

        HttpReqCall decoded = reader.httpReqCall(fbb.dataBuffer());

        assertEquals(List.of(TextEntry.of("x-latin", "caf\uFFFD")), decoded.headers());
    }

    @Test
    void anUnknownActionTypeIsAProtocolError() {
        // Build a Resp whose action_type is 7 by hand.
        com.google.flatbuffers.FlatBufferBuilder fbb = new com.google.flatbuffers.FlatBufferBuilder();
        fbb.startTable(0);
        int empty = fbb.endTable();
        fbb.startTable(3);
        fbb.addByte(1, (byte) 7, 0);
        fbb.addOffset(2, empty, 0);
        fbb.finish(fbb.endTable());

        RunnerException e = assertThrows(RunnerException.class, () -> reader.reqAction(fbb.dataBuffer()));
        assertTrue(e.getMessage().contains("action_type: 7 (expected: 0..2)"), e.getMessage());
    }
}
