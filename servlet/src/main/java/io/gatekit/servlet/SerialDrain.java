package io.gatekit.servlet;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a step on one thread at a time, and again as long as another event came in while it ran:
 * the work-in-progress counter of reactive streams. Every event of a body (demand, a chunk, the
 * container's ready callback, a failure) calls {@link #run()}; none blocks, none is lost.
 */
final class SerialDrain {

    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable step;

    SerialDrain(Runnable step) {
        this.step = step;
    }

    void run() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            step.run();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
