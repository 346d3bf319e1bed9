package io.gatekit.runner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * At most so many RPCs out at once on the {@link RunnerIo} transport; more wait in arrival order
 * and start as earlier ones finish.
 */
final class InFlightLimit {

    /** What {@link #admit} decided. */
    enum Admission {
        /** A slot was free and is the RPC's now: start it. */
        START,
        /** Queued: it starts when a slot frees. */
        WAIT,
        /** The transport stopped: fail it. */
        REFUSED
    }

    private final int max;
    /** Whether the transport stopped; read under this limit's lock, which {@link #drain()} takes too. */
    private final BooleanSupplier stopped;
    private final ArrayDeque<RunnerRpc<?>> waiting = new ArrayDeque<>();
    private int inFlight;

    InFlightLimit(int max, BooleanSupplier stopped) {
        this.max = max;
        this.stopped = stopped;
    }

    /** Takes a slot for {@code rpc}, or queues it, or refuses it once the transport stopped. */
    synchronized Admission admit(RunnerRpc<?> rpc) {
        // Checked under the lock drain() empties the queue with, so no RPC is queued after it.
        if (stopped.getAsBoolean()) {
            return Admission.REFUSED;
        }
        if (inFlight < max) {
            inFlight++;
            return Admission.START;
        }
        waiting.add(rpc);
        return Admission.WAIT;
    }

    /** A slot is free: returns the next waiting RPC, which takes it (the caller starts it), or {@code null}. */
    synchronized RunnerRpc<?> release() {
        RunnerRpc<?> next = waiting.poll();
        if (next == null) {
            inFlight--;
        }
        return next;
    }

    /** Takes every waiting RPC out, for failing. */
    synchronized List<RunnerRpc<?>> drain() {
        List<RunnerRpc<?>> queued = new ArrayList<>(waiting);
        waiting.clear();
        return queued;
    }
}
