package io.gatekit.engine.internal.host;

import io.gatekit.engine.host.Body;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * The client's streamed request body on its way to the upstream: remembers whether an attempt
 * started reading it, since a stream read once cannot be sent to another node.
 */
final class ClientBody implements Body {

    private final Body source;
    private volatile boolean read;

    ClientBody(Body source) {
        this.source = source;
    }

    /** Whether another attempt can still send this body. */
    boolean replayable() {
        return !read;
    }

    @Override
    public long length() {
        return source.length();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        read = true;
        source.subscribe(subscriber);
    }
}
