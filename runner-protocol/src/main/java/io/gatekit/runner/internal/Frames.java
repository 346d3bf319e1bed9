package io.gatekit.runner.internal;

import io.gatekit.runner.RunnerException;
import java.nio.ByteBuffer;

/**
 * The frame layout: 1 type byte, a 3-byte big-endian payload length, then one FlatBuffers buffer.
 */
public final class Frames {

    public static final int RPC_ERROR = 0;
    public static final int RPC_PREPARE_CONF = 1;
    public static final int RPC_HTTP_REQ_CALL = 2;
    public static final int RPC_EXTRA_INFO = 3;
    public static final int RPC_HTTP_RESP_CALL = 4;

    public static final int HEADER_BYTES = 4;
    /** The largest payload the 24-bit length can carry, and APISIX's own send limit. */
    public static final int MAX_PAYLOAD = 0xFF_FFFF;

    private Frames() {
    }

    /** Writes a header into {@code header} (position 0..4) after checking the length. */
    public static void putHeader(ByteBuffer header, int type, int payloadLength, int maxPayload) {
        checkLength("payload to send", payloadLength, maxPayload);
        header.clear();
        header.put(0, (byte) type);
        header.put(1, (byte) (payloadLength >>> 16));
        header.put(2, (byte) (payloadLength >>> 8));
        header.put(3, (byte) payloadLength);
    }

    public static int type(ByteBuffer header) {
        return header.get(0) & 0xFF;
    }

    public static int length(ByteBuffer header) {
        return (header.get(1) & 0xFF) << 16 | (header.get(2) & 0xFF) << 8 | header.get(3) & 0xFF;
    }

    /** Fails with a {@link RunnerException.Kind#PROTOCOL} error naming the limit when too large. */
    public static void checkLength(String what, int length, int maxPayload) {
        if (length > maxPayload) {
            throw new RunnerException(RunnerException.Kind.PROTOCOL,
                    what + ": " + length + " bytes (expected: <= " + maxPayload + ")");
        }
    }

    /** A readable name of a frame type, for messages. */
    public static String typeName(int type) {
        switch (type) {
            case RPC_ERROR:
                return "RPC_ERROR";
            case RPC_PREPARE_CONF:
                return "RPC_PREPARE_CONF";
            case RPC_HTTP_REQ_CALL:
                return "RPC_HTTP_REQ_CALL";
            case RPC_EXTRA_INFO:
                return "RPC_EXTRA_INFO";
            case RPC_HTTP_RESP_CALL:
                return "RPC_HTTP_RESP_CALL";
            default:
                return "type " + type;
        }
    }
}
