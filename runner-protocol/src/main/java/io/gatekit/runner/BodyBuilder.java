package io.gatekit.runner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The setters of a builder whose message carries a body as well as headers; each copies what it
 * is given, so the built value never changes afterwards.
 *
 * @param <B> the concrete builder, returned by each setter
 */
abstract class BodyBuilder<B extends BodyBuilder<B>> extends HeadersBuilder<B> {

    byte[] body = Bodies.EMPTY;

    BodyBuilder() {
    }

    /** The body; the array is copied. */
    public B body(byte[] body) {
        this.body = body.clone();
        return self();
    }

    /** The body: the buffer's remaining bytes, copied. */
    public B body(ByteBuffer body) {
        this.body = Bodies.copy(body);
        return self();
    }

    /** The body, encoded as UTF-8. */
    public B body(String body) {
        this.body = body.getBytes(StandardCharsets.UTF_8);
        return self();
    }
}
