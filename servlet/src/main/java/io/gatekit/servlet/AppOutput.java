package io.gatekit.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;

/**
 * The application's blocking output stream: bytes go to the {@link AppResponse}'s buffer and, once
 * the response has committed, to the engine as the body.
 */
final class AppOutput extends ServletOutputStream {

    private final AppResponse response;
    private final byte[] one = new byte[1];

    AppOutput(AppResponse response) {
        this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        response.append(one, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        response.append(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        response.flushOutput();
    }

    @Override
    public void close() throws IOException {
        response.complete(); // a closed output is a complete response, as in a container
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        throw new IllegalStateException("setWriteListener: the application's output is blocking on a route"
                + " with plugins (expected: blocking writes, no async processing)");
    }
}
