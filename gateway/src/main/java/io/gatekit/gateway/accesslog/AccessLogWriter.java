package io.gatekit.gateway.accesslog;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends access log lines to a file on a thread of its own ("gatekit-access-log"). Event loops
 * only {@link #log offer} a line to a bounded queue: when the queue is full (the disk is slower
 * than the traffic) the line is dropped and counted, so the log can never hold up a request. The
 * writer drains the queue in batches and flushes whenever it runs empty.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AccessLogWriter.class.getName());

    private final Path path;
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final BufferedWriter out;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Opens {@code path} for appending (creating it and its folder) and starts the writer.
     *
     * @param capacity how many lines may wait for the disk before new ones are dropped
     * @throws IllegalArgumentException naming the file when it cannot be opened
     */
    public AccessLogWriter(Path path, int capacity) {
        this.path = path;
        this.queue = new ArrayBlockingQueue<>(capacity);
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && !path.startsWith("/dev")) {
                Files.createDirectories(parent);
            }
            this.out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8), 64 * 1024);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("nginx_config.http.access_log: " + path + " (expected: a file the "
                    + "gateway can create or append to; " + e.getMessage() + ")", e);
        }
        this.thread = new Thread(this::run, "gatekit-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code line} (without newline); never blocks. Returns false when it was dropped. */
    public boolean log(String line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Lines written to the file (flushed or about to be). */
    public long written() {
        return written.get();
    }

    private void run() {
        List<String> batch = new ArrayList<>(256);
        while (!closed || !queue.isEmpty()) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4095);
                for (String line : batch) {
                    out.write(line);
                    out.write('\n');
                }
                written.addAndGet(batch.size());
                batch.clear();
                if (queue.isEmpty()) {
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException e) {
                dropped.addAndGet(batch.size());
                batch.clear();
                LOG.log(System.Logger.Level.WARNING, "cannot write the access log " + path + ": " + e.getMessage());
            }
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot close the access log " + path + ": " + e.getMessage());
        }
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
