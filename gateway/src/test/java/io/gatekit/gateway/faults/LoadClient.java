package io.gatekit.gateway.faults;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * A real load client on loopback: {@code connections} keep-alive connections, each sending one
 * GET after another (closed loop) until stopped. Each request carries {@code x-seq: <n>}; each
 * response must start within the deadline, or the request counts as hung. A request fails when
 * it hangs, when its connection breaks, or when the check rejects its response; a broken
 * connection is replaced by a new one.
 */
public final class LoadClient implements AutoCloseable {

    /** Judges one response: {@code null} when it is right, else why not. */
    @FunctionalInterface
    public interface Check {
        String judge(long seq, Wire.Response response);
    }

    /** What happened to the requests sent. */
    public record Report(long sent, long answered, long failed, long hung, Map<Integer, Long> statuses,
            List<String> firstFailures) {
        /** A line for the test output. */
        @Override
        public String toString() {
            return "sent " + sent + ", answered " + answered + ", failed " + failed + " (hung " + hung + "), statuses "
                    + statuses + (firstFailures.isEmpty() ? "" : ", first failures " + firstFailures);
        }
    }

    private final int port;
    private final Duration deadline;
    private final LongFunction<String> path;
    private final Check check;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder hung = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code connections} connections to 127.0.0.1:{@code port}, requesting {@code path.apply(seq)}. */
    public LoadClient(int port, int connections, Duration deadline, LongFunction<String> path, Check check) {
        this.port = port;
        this.deadline = deadline;
        this.path = path;
        this.check = check;
        for (int i = 0; i < connections; i++) {
            Thread thread = new Thread(this::drive, "load-client-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void drive() {
        Wire wire = null;
        while (running.get()) {
            long seq = sequence.incrementAndGet();
            try {
                if (wire == null) {
                    wire = new Wire(port, deadline);
                }
                sent.increment();
                Wire.Response response = wire.get(path.apply(seq), "faults.test", "x-seq: " + seq).read();
                answered.increment();
                statuses.computeIfAbsent(response.status(), s -> new LongAdder()).increment();
                String wrong = check.judge(seq, response);
                if (wrong != null) {
                    fail("request " + seq + ": " + wrong);
                }
                if (response.closes()) {
                    wire = closed(wire);
                }
            } catch (SocketTimeoutException e) {
                hung.increment();
                fail("request " + seq + ": no response within " + deadline.toMillis() + " ms");
                wire = closed(wire);
            } catch (IOException | RuntimeException e) {
                fail("request " + seq + ": " + e);
                wire = closed(wire);
            }
        }
        closed(wire);
    }

    private void fail(String why) {
        failed.increment();
        if (failures.size() < 10) {
            failures.add(why);
        }
    }

    private static Wire closed(Wire wire) {
        if (wire != null) {
            try {
                wire.close();
            } catch (IOException e) {
                // closing a broken connection: nothing to do
            }
        }
        return null;
    }

    /** Responses read so far. */
    public long answered() {
        return answered.sum();
    }

    /** Failed requests so far. */
    public long failed() {
        return failed.sum();
    }

    /** Waits until {@code more} further responses have been read (at most {@code max}). */
    public void awaitAnswers(long more, Duration max) throws InterruptedException {
        long target = answered() + more;
        long end = System.nanoTime() + max.toNanos();
        while (answered() < target) {
            if (System.nanoTime() > end) {
                throw new AssertionError("only " + answered() + " answers of " + target + " within " + max);
            }
            Thread.sleep(5);
        }
    }

    /** Stops the connections (each finishes its request in flight) and reports. */
    public Report stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(deadline.toMillis() + 5_000);
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " still running " + deadline.toMillis() + " ms after stop");
            }
        }
        Map<Integer, Long> byStatus = new TreeMap<>();
        statuses.forEach((status, count) -> byStatus.put(status, count.sum()));
        return new Report(sent.sum(), answered.sum(), failed.sum(), hung.sum(), byStatus, List.copyOf(failures));
    }

    @Override
    public void close() throws InterruptedException {
        if (running.get()) {
            stop();
        }
    }
}
