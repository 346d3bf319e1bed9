package io.gatekit.servlet;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * Writes the engine's {@link Response} to the servlet response: the head, then the body, either
 * with the servlet's non-blocking output ({@link WriteListener}: no thread waits for the client or
 * for the next chunk) or with blocking writes on container threads (the application's own
 * output, which its thread produces synchronously).
 */
final class ResponseWriter {

    private ResponseWriter() {
    }

    /** Sets status and headers; the body's length, when known, becomes Content-Length. */
    static void head(HttpServletResponse servlet, Response response, boolean headRequest) {
        int status = response.status();
        servlet.setStatus(status);
        HttpHeaders headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!name.equalsIgnoreCase("content-length")) {
                servlet.addHeader(name, headers.value(i));
            }
        }
        boolean bodiless = headRequest || status < 200 || status == 204 || status == 304;
        if (bodiless) {
            String declared = headers.get("content-length");
            if (declared != null && status >= 200 && status != 204) {
                servlet.setHeader("Content-Length", declared); // what a GET would have had
            }
        } else if (response.body().length() >= 0) {
            servlet.setContentLengthLong(response.body().length());
        }
    }

    /**
     * Writes the body with blocking writes, each chunk on {@code executor} (a container thread),
     * flushed as it comes so a streamed answer reaches the client as it is produced.
     */
    static CompletionStage<Void> blocking(HttpServletResponse servlet, Body body, Executor executor) {
        ServletOutputStream out;
        try {
            out = servlet.getOutputStream();
        } catch (IOException | RuntimeException e) {
            return discard(body, e);
        }
        return body.writeTo(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                try {
                    out.write(bytes, offset, length);
                    out.flush();
                } catch (IOException e) {
                    throw new ClientGone(e);
                }
            }
        }, executor);
    }

    /** Writes the body with the servlet's non-blocking output. */
    static CompletionStage<Void> nonBlocking(HttpServletResponse servlet, Body body) {
        ServletOutputStream out;
        try {
            out = servlet.getOutputStream();
        } catch (IOException | RuntimeException e) {
            return discard(body, e);
        }
        NonBlocking writer = new NonBlocking(out);
        try {
            out.setWriteListener(writer.listener);
        } catch (RuntimeException e) {
            return discard(body, e);
        }
        body.subscribe(writer);
        return writer.done;
    }

    private static CompletionStage<Void> discard(Body body, Throwable error) {
        body.discard(); // ends the body, so log runs
        return CompletableFuture.failedStage(error);
    }

    /**
     * One chunk at a time: asked for once the previous one is written and the output is ready
     * again. Every event (a chunk, the end, the output turning ready, a failure) drains, one
     * thread at a time ({@link SerialDrain}); the container calls {@code onWritePossible} after
     * {@code isReady()} said false.
     */
    private static final class NonBlocking implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final WriteListener listener = new WriteListener() {
            @Override
            public void onWritePossible() {
                drain();
            }

            @Override
            public void onError(Throwable error) {
                writeFailure = new ClientGone(error);
                drain();
            }
        };
        private final ServletOutputStream out;
        private final SerialDrain serial = new SerialDrain(this::stepOrFail);
        private volatile Flow.@Nullable Subscription subscription;
        private volatile @Nullable ByteBuffer pending;
        private volatile boolean sourceDone;
        private volatile @Nullable Throwable sourceFailure;
        private volatile @Nullable Throwable writeFailure;
        private boolean asked;
        private boolean unflushed;
        private boolean finished;

        NonBlocking(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            drain();
        }

        @Override
        public void onNext(ByteBuffer chunk) {
            pending = chunk;
            drain();
        }

        @Override
        public void onError(Throwable error) {
            sourceFailure = error;
            sourceDone = true;
            drain();
        }

        @Override
        public void onComplete() {
            sourceDone = true;
            drain();
        }

        private void drain() {
            serial.run();
        }

        private void stepOrFail() {
            try {
                step();
            } catch (IOException e) {
                fail(new ClientGone(e));
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        private void step() throws IOException {
            while (!finished) {
                Throwable failed = writeFailure;
                if (failed != null) {
                    fail(failed);
                    return;
                }
                Flow.Subscription s = subscription;
                if (s == null || !out.isReady()) {
                    return; // onSubscribe or onWritePossible comes
                }
                ByteBuffer chunk = pending;
                if (chunk != null) {
                    pending = null;
                    asked = false;
                    write(chunk);
                    unflushed = true;
                    continue;
                }
                if (unflushed) {
                    unflushed = false;
                    out.flush(); // what has come so far goes out now, before waiting for more
                    continue;
                }
                if (sourceDone) {
                    finished = true;
                    Throwable error = sourceFailure;
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        done.complete(null);
                    }
                    return;
                }
                if (asked) {
                    return; // onNext comes
                }
                asked = true;
                s.request(1);
            }
        }

        private void write(ByteBuffer chunk) throws IOException {
            if (chunk.hasArray()) {
                out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
            } else {
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                out.write(bytes);
            }
        }

        private void fail(Throwable error) {
            if (finished) {
                return;
            }
            finished = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            done.completeExceptionally(error);
        }
    }
}
