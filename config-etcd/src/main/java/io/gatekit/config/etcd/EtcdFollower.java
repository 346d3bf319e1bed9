package io.gatekit.config.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows etcd for an {@link EtcdConfigSource}: loads the whole prefix at one revision, then
 * watches from the next one on its own thread, applying each change to the engine. A broken watch
 * is retried with backoff from the revision after the last one applied; a compacted or rewound
 * store is loaded whole again.
 */
final class EtcdFollower {

    private static final System.Logger LOG = System.getLogger(EtcdConfigSource.class.getName());
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 3000;

    private final Client client;
    private final Engine engine;
    private final EtcdKeys keys;
    private final AppliedRevision appliedRevision;
    private final Rejections rejections;
    private final String prefix;
    private final List<URI> endpoints;
    private final Duration timeout;
    private final ScheduledExecutorService loop;
    private final CompletableFuture<Void> watching = new CompletableFuture<>();
    // fields below are touched only on the loop thread
    private @Nullable Watch.Watcher watcher;
    private int generation;
    private int failures;
    private volatile boolean closed;

    EtcdFollower(Client client, Engine engine, EtcdKeys keys, AppliedRevision appliedRevision, Rejections rejections,
            String prefix, List<URI> endpoints, Duration timeout) {
        this.client = client;
        this.engine = engine;
        this.keys = keys;
        this.appliedRevision = appliedRevision;
        this.rejections = rejections;
        this.prefix = prefix;
        this.endpoints = endpoints;
        this.timeout = timeout;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "gatekit-etcd-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads everything under the prefix, then starts watching and waits (up to the timeout) until
     * etcd confirms the watch.
     *
     * @throws ExecutionException with the cause when the load fails
     * @throws InterruptedException when interrupted while loading
     */
    void start() throws ExecutionException, InterruptedException {
        loop.submit(() -> {
            loadAll();
            return null;
        }).get();
        loop.execute(this::watch);
        awaitWatching();
    }

    /** Waits until etcd confirms the first watch, so a started node misses nothing after start returns. */
    private void awaitWatching() {
        try {
            watching.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, "etcd has not confirmed the watch within " + timeout.toMillis()
                    + " ms; changes will apply once it does");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the whole prefix at one revision and applies it as one snapshot. Loop thread. */
    private void loadAll() throws Exception {
        GetResponse response = EtcdCalls.await(client.getKVClient().get(EtcdKeys.bytes(prefix + "/"),
                GetOption.builder().isPrefix(true).build()), timeout);
        long at = response.getHeader().getRevision();
        List<Resource> resources = new ArrayList<>();
        for (KeyValue kv : response.getKvs()) {
            Resource resource = keys.resource(kv);
            if (resource != null) {
                resources.add(resource);
            }
        }
        Map<String, ConfigException> rejected = engine.load(resources, at);
        rejections.reloaded(rejected);
        rejected.forEach((key, e) -> LOG.log(Level.ERROR, "etcd key " + prefix + key.substring("/apisix".length())
                + " rejected, its last good value (if any) stays in force: " + e.errorMsg() + "; all violations: "
                + e.violations()));
        LOG.log(Level.INFO, "loaded " + (resources.size() - rejected.size()) + " resources from etcd " + endpoints
                + " under " + prefix + " at revision " + at);
        appliedRevision.advance(at);
    }

    /** Watches the prefix from the revision after the last one applied. Loop thread. */
    private void watch() {
        if (closed) {
            return;
        }
        int mine = ++generation;
        long from = appliedRevision.get() + 1;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).withCreateNotify(true).build();
        watcher = client.getWatchClient().watch(EtcdKeys.bytes(prefix + "/"), option, Watch.listener(
                response -> loop.execute(() -> onResponse(mine, response)),
                error -> loop.execute(() -> onWatchError(mine, error))));
    }

    private void onResponse(int watch, WatchResponse response) {
        if (watch != generation || closed) {
            return;
        }
        if (response.isCreatedNotify()) {
            watching.complete(null);
            long current = response.getHeader().getRevision();
            long applied = appliedRevision.get();
            if (current < applied) {
                // etcd went back in time (wiped, or restored from an older backup): a watch from our
                // revision would wait for revisions that mean something else now
                LOG.log(Level.WARNING, "etcd is at revision " + current + ", behind this node's " + applied
                        + " (its data was replaced): reloading the whole config");
                generation++;
                closeWatcher();
                appliedRevision.reset();
                loop.execute(this::reload);
                return;
            }
            if (failures > 0) {
                LOG.log(Level.INFO, "etcd watch resumed at revision " + (applied + 1) + " after " + failures
                        + " failed attempts");
            }
            failures = 0;
            return;
        }
        long last = appliedRevision.get();
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            last = Math.max(last, kv.getModRevision());
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                EtcdKeys.Key key = keys.key(kv);
                if (key != null) {
                    engine.remove(key.kind(), key.id(), kv.getModRevision());
                    rejections.cleared(key.kind().storeKey(key.id()));
                }
            } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                Resource resource = keys.resource(kv);
                if (resource != null) {
                    try {
                        engine.apply(resource);
                        rejections.cleared(resource.key());
                    } catch (ConfigException e) {
                        rejections.refused(resource.key(), e);
                        LOG.log(Level.ERROR, "etcd key " + kv.getKey().toString(StandardCharsets.UTF_8)
                                + " rejected at revision " + kv.getModRevision() + ", its last good value (if any) "
                                + "stays in force: " + e.errorMsg() + "; all violations: " + e.violations());
                    }
                }
            }
        }
        appliedRevision.advance(last);
    }

    private void onWatchError(int watch, Throwable error) {
        if (watch != generation || closed) {
            return;
        }
        generation++;
        closeWatcher();
        if (needsReload(error)) {
            LOG.log(Level.WARNING, "etcd cannot resume the watch at revision " + (appliedRevision.get() + 1) + " ("
                    + EtcdCalls.reason(error) + "): reloading the whole config");
            loop.execute(this::reload);
            return;
        }
        long delay = backoff();
        LOG.log(failures == 1 ? Level.WARNING : Level.DEBUG, "lost the etcd watch (" + EtcdCalls.reason(error)
                + "); serving the last good config (etcd revision " + appliedRevision.get() + "), retrying in "
                + delay + " ms");
        loop.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
    }

    private void reload() {
        if (closed) {
            return;
        }
        try {
            loadAll();
            failures = 0;
            watch();
        } catch (Exception e) {
            long delay = backoff();
            LOG.log(Level.WARNING, "cannot reload the config from etcd (" + EtcdCalls.reason(e)
                    + "); serving the last good config, retrying in " + delay + " ms");
            loop.schedule(this::reload, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Compacted away, or a revision etcd never had (its data was wiped): only a full load helps. */
    private static boolean needsReload(Throwable error) {
        if (error instanceof CompactedException) {
            return true;
        }
        return error instanceof EtcdException e && e.getErrorCode() == ErrorCode.OUT_OF_RANGE;
    }

    private long backoff() {
        failures++;
        return Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(failures - 1, 5));
    }

    /** Closes the watch, if any. Loop thread. */
    private void closeWatcher() {
        Watch.Watcher current = watcher;
        watcher = null;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing the etcd watcher failed", e);
            }
        }
    }

    /** Stops watching and ends the thread. */
    void close() {
        closed = true;
        try {
            loop.submit(this::closeWatcher).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "closing the etcd watcher failed", e);
        }
        loop.shutdownNow();
    }
}
