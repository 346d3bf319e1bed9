package io.gatekit.runner;

import io.gatekit.runner.internal.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * The bytes a runner connection received and not yet handled, where its frames are assembled: it
 * grows for a big frame and goes back to the usual size once empty. Used on the selector thread only.
 */
final class FrameInbox {

    private static final int INBOX_BYTES = 8192;
    /** An inbox grown past this for a big frame goes back to the usual size once it is empty. */
    private static final int KEPT_INBOX_BYTES = 64 * 1024;

    /** Unread bytes between position and limit. */
    private ByteBuffer inbox = ByteBuffer.allocate(INBOX_BYTES).limit(0);

    /** Reads what {@code channel} has into the free space: the count of bytes read, -1 at end of stream. */
    int readFrom(SocketChannel channel) throws IOException {
        int start = inbox.position();
        inbox.position(inbox.limit()).limit(inbox.capacity());
        try {
            return channel.read(inbox);
        } finally {
            inbox.limit(inbox.position()).position(start);
        }
    }

    /** How many bytes are unread. */
    int remaining() {
        return inbox.remaining();
    }

    boolean hasRemaining() {
        return inbox.hasRemaining();
    }

    /** Whether the next frame's header is here whole. */
    boolean hasHeader() {
        return inbox.remaining() >= Frames.HEADER_BYTES;
    }

    /** The next frame's type; its header must be here. */
    int type() {
        return inbox.get(inbox.position()) & 0xFF;
    }

    /** The next frame's payload length; its header must be here. */
    int length() {
        return Frames.length(inbox.slice(inbox.position(), Frames.HEADER_BYTES));
    }

    /** Whether the next frame, with a payload of {@code length}, is here whole; if not, makes room for it. */
    boolean hasFrame(int length) {
        if (inbox.remaining() >= Frames.HEADER_BYTES + length) {
            return true;
        }
        ensureCapacity(Frames.HEADER_BYTES + length);
        return false;
    }

    /** The next frame's payload (little-endian, valid until the next read), the frame taken off the inbox. */
    ByteBuffer takePayload(int length) {
        int start = inbox.position();
        ByteBuffer payload = inbox.slice(start + Frames.HEADER_BYTES, length).order(ByteOrder.LITTLE_ENDIAN);
        inbox.position(start + Frames.HEADER_BYTES + length);
        return payload;
    }

    /** Drops whatever is unread. */
    void clear() {
        inbox.position(0).limit(0);
    }

    /** After a read's frames were handled: back to the usual size when empty, else room made for more. */
    void compact() {
        if (!inbox.hasRemaining()) {
            if (inbox.capacity() > KEPT_INBOX_BYTES) {
                inbox = ByteBuffer.allocate(INBOX_BYTES);
            }
            inbox.position(0).limit(0);
        } else if (inbox.position() > 0 && inbox.capacity() - inbox.limit() < INBOX_BYTES / 2) {
            inbox.compact().flip();
        }
    }

    private void ensureCapacity(int frameBytes) {
        if (inbox.capacity() - inbox.position() >= frameBytes) {
            return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(frameBytes, INBOX_BYTES));
        bigger.put(inbox).flip();
        inbox = bigger;
    }
}
