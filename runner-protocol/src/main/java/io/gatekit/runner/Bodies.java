package io.gatekit.runner;

import java.nio.ByteBuffer;

/** Body byte helpers shared by the value types. */
final class Bodies {

    static final byte[] EMPTY = new byte[0];

    private Bodies() {
    }

    /** Copies the remaining bytes without moving the source's position. */
    static byte[] copy(ByteBuffer source) {
        byte[] bytes = new byte[source.remaining()];
        source.duplicate().get(bytes);
        return bytes;
    }
}
