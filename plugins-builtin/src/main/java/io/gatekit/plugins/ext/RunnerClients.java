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
 * client is closed with the last lease. A client found closed while leases remain (however that
 * came about) is replaced, so every route behind it does not answer 503 from then on.
 */
final class RunnerClients {

    private static final System.Logger LOG = System.getLogger(RunnerClients.class.getName());

    /** How to reach a runner; equal settings share a client. */
    record Settings(Path socketPath, Duration connectTimeout, Duration sendTimeout, Duration readTimeout) {
    }

    private static final Object LOCK = new Object();
    private static final Map<Settings, Shared> SHARED = new HashMap<>();

    private static final class Shared {
        final Settings settings;
        /** Read without the lock on every call; replaced under it. */
        volatile RunnerClient client;
        int leases; // guarded by LOCK

        Shared(Settings settings) {
            this.settings = settings;
            this.client = newClient(settings);
        }

        /** The open client for these settings, a new one in place of one found closed. */
        RunnerClient client() {
            RunnerClient current = client;
            if (!current.isClosed()) {
                return current;
            }
            synchronized (LOCK) {
                if (client.isClosed() && leases > 0) {
                    LOG.log(System.Logger.Level.WARNING, "the runner client for " + settings.socketPath()
                            + " was closed while in use; replacing it");
                    client = newClient(settings);
                }
                return client;
            }
        }
    }

    private RunnerClients() {
    }

    private static RunnerClient newClient(Settings settings) {
        return RunnerClient.builder()
                .socketPath(settings.socketPath())
                .connectTimeout(settings.connectTimeout())
                .sendTimeout(settings.sendTimeout())
                .readTimeout(settings.readTimeout())
                .build();
    }

    /** A lease on the client for {@code settings}, created on first use. */
    static Lease acquire(Settings settings) {
        synchronized (LOCK) {
            Shared shared = SHARED.computeIfAbsent(settings, Shared::new);
            shared.leases++;
            return new Lease(shared);
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

    private static void release(Shared shared) {
        RunnerClient last = null;
        synchronized (LOCK) {
            if (--shared.leases == 0) {
                SHARED.remove(shared.settings, shared);
                last = shared.client;
            }
        }
        if (last != null) {
            last.close(); // outside the lock: closing waits for nothing, but needs no lock either
        }
    }

    /** One instance's use of a shared client; {@link #close()} gives it back, once. */
    static final class Lease implements AutoCloseable {
        private final Shared shared;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Shared shared) {
            this.shared = shared;
        }

        /** The shared client, open unless this lease was given back. */
        RunnerClient client() {
            return shared.client();
        }

        Settings settings() {
            return shared.settings;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(shared);
            }
        }
    }
}
