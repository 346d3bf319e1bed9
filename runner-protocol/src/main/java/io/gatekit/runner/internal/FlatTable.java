package io.gatekit.runner.internal;

import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A reader of any FlatBuffers table by field id, with the protocol's unsigned types read correctly.
 * One instance is repositioned over and over ({@link #root}, {@link #entry}, {@link #union}) so
 * decoding a message allocates only its results.
 */
final class FlatTable extends Table {

    /** Positions this reader on the root table of a finished buffer starting at its position. */
    FlatTable root(ByteBuffer buffer) {
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        int start = buffer.position();
        __reset(start + buffer.getInt(start), buffer);
        return this;
    }

    boolean has(int id) {
        return slot(id) != 0;
    }

    long uint32(int id) {
        int o = slot(id);
        return o == 0 ? 0 : bb.getInt(bb_pos + o) & 0xFFFF_FFFFL;
    }

    int uint16(int id) {
        int o = slot(id);
        return o == 0 ? 0 : bb.getShort(bb_pos + o) & 0xFFFF;
    }

    int ubyte(int id) {
        int o = slot(id);
        return o == 0 ? 0 : bb.get(bb_pos + o) & 0xFF;
    }

    /**
     * A string field, or {@code null} when absent. Decoded by the JDK rather than by flatbuffers'
     * Utf8: one copy instead of two for ASCII, and bytes that are not UTF-8 (a latin-1 header value
     * passed through by nginx) become U+FFFD instead of failing the whole message.
     */
    String string(int id) {
        int o = slot(id);
        if (o == 0) {
            return null;
        }
        int at = __indirect(bb_pos + o);
        int length = bb.getInt(at);
        if (!bb.hasArray()) {
            return __string(bb_pos + o);
        }
        if (length < 0 || at + 4 + length > bb.limit()) {
            throw new IndexOutOfBoundsException("string of " + length + " bytes at " + at);
        }
        return new String(bb.array(), bb.arrayOffset() + at + 4, length, StandardCharsets.UTF_8);
    }

    /** Elements in a vector field, 0 when absent. */
    int length(int id) {
        int o = slot(id);
        return o == 0 ? 0 : __vector_len(o);
    }

    /** A [ubyte] field as a view into the frame (no copy), or {@code null} when absent. */
    ByteBuffer bytes(int id) {
        int o = slot(id);
        if (o == 0) {
            return null;
        }
        int start = __vector(o);
        return bb.duplicate().limit(start + __vector_len(o)).position(start);
    }

    /** Positions {@code into} on element {@code index} of the table vector field {@code id}. */
    FlatTable entry(int id, int index, FlatTable into) {
        int element = __vector(slot(id)) + index * 4;
        into.__reset(__indirect(element), bb);
        return into;
    }

    /** Positions {@code into} on the union table in field {@code id}, or returns null when absent. */
    FlatTable union(int id, FlatTable into) {
        int o = slot(id);
        if (o == 0) {
            return null;
        }
        into.__reset(__indirect(bb_pos + o), bb);
        return into;
    }

    private int slot(int id) {
        return __offset(4 + 2 * id);
    }
}
