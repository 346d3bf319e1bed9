package io.gatekit.plugins.ext;

import io.gatekit.runner.RunnerClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runner clients shared by every {@code ext-plugin-*} instance of the process: one per socket
 * path (and timeouts), so all routes share its connection pool and conf-token cache, as APISIX's
 * workers share theirs. Instances lease a client when created and give it back when closed; the
 * client is closed with the last lease.
 */
final class RunnerClients {

    /** How to reach a runner; equal settings share a client. */
    record Settings(Path socketPath, Duration connectTimeout, Duration sendTimeout, Duration readTimeout) {
    }

    private static final Object LOCK = new Object();
    private static final Map<Settings, Shared> SHARED = new HashMap<>();

    private static final class Shared {
        final RunnerClient client;
        int leases;

        Shared(RunnerClient client) {
            this.client = client;
        }
    }

    private RunnerClients() {
    }

    /** A lease on the client for {@code settings}, created on first use. */
    static Lease acquire(Settings settings) {
        synchronized (LOCK) {
            Shared shared = SHARED.computeIfAbsent(settings, s -> new Shared(RunnerClient.builder()
                    .socketPath(s.socketPath())
                    .connectTimeout(s.connectTimeout())
                    .sendTimeout(s.sendTimeout())
                    .readTimeout(s.readTimeout())
                    .build()));
            shared.leases++;
            return new Lease(settings, shared.client);
        }
    }

    /** How many clients are open, for tests. */
    static int openClients() {
        synchronized (LOCK) {
            return SHARED.size();
        }
    }

    /** How many leases the client for {@code socketPath} has (0 when there is none), for tests. */
    static int leases(Path socketPath) {
        synchronized (LOCK) {
            return SHARED.entrySet().stream().filter(e -> e.getKey().socketPath().equals(socketPath))
                    .mapToInt(e -> e.getValue().leases).sum();
        }
    }

    private static void release(Settings settings) {
        RunnerClient last = null;
        synchronized (LOCK) {
            Shared shared = SHARED.get(settings);
            if (shared != null && --shared.leases == 0) {
                SHARED.remove(settings);
                last = shared.client;
            }
        }
        if (last != null) {
            last.close(); // outside the lock: closing waits for nothing, but needs no lock either
        }
    }

    /** One instance's use of a shared client; {@link #close()} gives it back, once. */
    static final class Lease implements AutoCloseable {
        private final Settings settings;
        private final RunnerClient client;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Settings settings, RunnerClient client) {
            this.settings = settings;
            this.client = client;
        }

        RunnerClient client() {
            return client;
        }

        Settings settings() {
            return settings;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(settings);
            }
        }
    }
}
