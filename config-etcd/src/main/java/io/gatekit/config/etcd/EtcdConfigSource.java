package io.gatekit.config.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * Keeps the config in etcd, in APISIX's key layout, so that every gateway of a cluster serves the
 * same config and any node's Admin API can change it.
 *
 * <pre>{@code
 * ConfigSource source = EtcdConfigSource.builder()
 *         .endpoints(List.of(URI.create("http://127.0.0.1:2379")))
 *         .prefix("/apisix")
 *         .build();
 * source.start(engine);   // loads everything, then follows changes
 * }</pre>
 *
 * <h2>Layout</h2>
 * {@code <prefix>/routes/<id>}, {@code /services/}, {@code /upstreams/}, {@code /plugin_configs/},
 * {@code /global_rules/}, {@code /plugin_metadata/<plugin name>}, {@code /consumers/<username>},
 * {@code /consumer_groups/<id>}, each holding the resource's JSON
 * with {@code id}, {@code create_time} and {@code update_time}, as APISIX's Admin API writes it; so
 * a Gatekit node reads what APISIX wrote and the other way round. The etcd revisions are the
 * resources' {@code createdIndex} (create revision) and {@code modifiedIndex} (mod revision). Other
 * keys under the prefix (APISIX's {@code ssls}, {@code gen_id}, ...) are
 * ignored, each directory logged once.
 *
 * <h2>Following changes</h2>
 * {@link #start} reads the whole prefix at one revision and applies it as one snapshot, then
 * watches from the next revision; each event is validated and applied on its own. An invalid
 * value is logged with its key and left out: the key's last good value, if any, stays. When the
 * watch breaks (etcd down or restarted), nodes keep serving the config they have and retry with
 * backoff (0.1 s doubling to 3 s), resuming from the revision after the last one applied, so no
 * change is lost; when etcd has compacted that revision away, they reload everything instead.
 *
 * <h2>Writes</h2>
 * A write is validated by the local engine first ({@link Engine#prepare}), then written to etcd;
 * it returns once this node's watch has applied it (or after the timeout), so a read on the same
 * node right after a write sees it. Other nodes apply it when their watch delivers it, normally
 * within milliseconds. {@link #create} takes ids as APISIX does: the revision of a write to
 * {@code <prefix>/gen_id}, as 20 digits, unique across every writer. When etcd cannot be reached, a
 * write fails with {@link ConfigException} status 503 after the timeout.
 *
 * <p>{@code https} endpoints are reached over TLS, trusting the JVM's default certificate
 * authorities; client certificates and etcd user/password authentication are not supported yet.
 */
public final class EtcdConfigSource implements ConfigSource {

    private final List<URI> endpoints;
    private final String prefix;
    private final Duration timeout;
    private final EtcdKeys keys;
    private final AppliedRevision appliedRevision;
    private final Rejections rejections = new Rejections();

    private @Nullable Client client;
    private @Nullable Engine engine;
    private @Nullable EtcdFollower follower;
    private volatile boolean closed;

    private EtcdConfigSource(Builder builder) {
        this.endpoints = List.copyOf(builder.endpoints);
        this.prefix = builder.prefix;
        this.timeout = builder.timeout;
        this.keys = new EtcdKeys(prefix);
        this.appliedRevision = new AppliedRevision(timeout);
    }

    /** A builder; {@link Builder#endpoints} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- starting and stopping ----

    /**
     * Connects, loads everything under the prefix and starts watching.
     *
     * @throws IllegalStateException when etcd does not answer within the timeout
     */
    @Override
    public void start(Engine engine) {
        this.engine = requireNonNull(engine, "engine");
        Client connected = connect();
        this.client = connected;
        EtcdFollower following = new EtcdFollower(connected, engine, keys, appliedRevision, rejections, prefix,
                endpoints, timeout);
        this.follower = following;
        try {
            following.start();
        } catch (ExecutionException e) {
            close();
            throw new IllegalStateException("cannot load the config from etcd at " + endpoints + " under "
                    + prefix + ": " + EtcdCalls.reason(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while loading the config from etcd", e);
        }
    }

    /** A client for the endpoints; https ones get TLS trusting the JVM's default certificate authorities. */
    private Client connect() {
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(URI[]::new)).connectTimeout(timeout);
        if (endpoints.stream().anyMatch(uri -> uri.getScheme().equals("https"))) {
            try {
                builder.sslContext(ssl -> { });
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS for etcd " + endpoints + ": " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /**
     * The most recent value in etcd the engine refused (its violations under the key's path, e.g.
     * {@code /routes/1/uri}) while that key still holds it; empty when every key's value applied.
     */
    public Optional<ConfigException> lastRejection() {
        return rejections.last();
    }

    /** The last etcd revision this node has applied. */
    public long revision() {
        return appliedRevision.get();
    }

    // ---- writes ----

    @Override
    public Resource put(ResourceKind kind, String id, String json) {
        Resource prepared = engine().prepare(kind, id, json);
        String key = keys.key(kind, id);
        PutResponse response = write(client().getKVClient().put(EtcdKeys.bytes(key), EtcdKeys.bytes(prepared.json()),
                PutOption.builder().withPrevKV().build()), key);
        long at = response.getHeader().getRevision();
        long created = response.hasPrevKv() ? response.getPrevKv().getCreateRevision() : at;
        appliedRevision.await(at, key);
        Optional<Resource> applied = engine().get(kind, id);
        if (applied.isPresent() && applied.get().modifiedIndex() == at) {
            return applied.get();
        }
        return new Resource(kind, id, prepared.json(), created, at);
    }

    @Override
    public Resource create(ResourceKind kind, String json) {
        // check before taking an id, so a refused POST leaves no gap in etcd's revisions for nothing
        engine().prepare(kind, "0", json);
        String counter = prefix + "/gen_id";
        PutResponse response = write(client().getKVClient().put(EtcdKeys.bytes(counter), EtcdKeys.bytes("1")), counter);
        return put(kind, String.format("%020d", response.getHeader().getRevision()), json);
    }

    @Override
    public Optional<Resource> delete(ResourceKind kind, String id, boolean force) {
        if (!force) {
            engine().checkDeletable(kind, id);
        }
        String key = keys.key(kind, id);
        DeleteResponse response = write(client().getKVClient().delete(EtcdKeys.bytes(key),
                DeleteOption.builder().withPrevKV(true).build()), key);
        if (response.getDeleted() == 0 || response.getPrevKvs().isEmpty()) {
            return Optional.empty();
        }
        long at = response.getHeader().getRevision();
        appliedRevision.await(at, key);
        KeyValue old = response.getPrevKvs().get(0);
        return Optional.of(new Resource(kind, id, old.getValue().toString(StandardCharsets.UTF_8),
                old.getCreateRevision(), old.getModRevision()));
    }

    private <T> T write(CompletableFuture<T> call, String key) {
        try {
            return EtcdCalls.await(call, timeout);
        } catch (Exception e) {
            String message = "failed to write " + key + " to etcd " + endpoints + ": " + EtcdCalls.reason(e);
            throw new ConfigException(503, message, List.of(new Violation("", "etcd", message
                    + " (expected: etcd reachable within " + timeout.toMillis() + " ms)")));
        }
    }

    private Engine engine() {
        Engine started = engine;
        if (started == null) {
            throw new IllegalStateException("etcd config source not started (expected: start(engine) first)");
        }
        return started;
    }

    private Client client() {
        Client connected = client;
        if (connected == null) {
            throw new IllegalStateException("etcd config source not started (expected: start(engine) first)");
        }
        return connected;
    }

    /** Stops watching and disconnects; the engine keeps the config it has. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        EtcdFollower following = follower;
        if (following != null) {
            following.close();
        }
        Client connected = client;
        if (connected != null) {
            connected.close();
        }
    }

    @Override
    public String toString() {
        return "etcd " + endpoints + " " + prefix;
    }

    /** Configures an {@link EtcdConfigSource}, with the meaning of APISIX's {@code deployment.etcd} keys. */
    public static final class Builder {
        private List<URI> endpoints = List.of();
        private String prefix = "/apisix";
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * The etcd members ({@code deployment.etcd.host}), e.g. {@code http://127.0.0.1:2379}.
         *
         * @throws IllegalArgumentException naming an entry that is not an http(s) URL with a host and port
         */
        public Builder endpoints(List<URI> endpoints) {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("endpoints: [] (expected: at least one http(s) URL of etcd)");
            }
            for (URI uri : endpoints) {
                if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null
                        || uri.getPort() < 0) {
                    throw Arguments.invalid("endpoints", uri,
                            "an http(s) URL with a host and port, e.g. http://127.0.0.1:2379");
                }
            }
            this.endpoints = List.copyOf(endpoints);
            return this;
        }

        /**
         * The key prefix ({@code deployment.etcd.prefix}), default {@code /apisix}.
         *
         * @throws IllegalArgumentException unless it starts with {@code /} and does not end with one
         */
        public Builder prefix(String prefix) {
            requireNonNull(prefix, "prefix");
            if (!prefix.startsWith("/") || prefix.length() < 2 || prefix.endsWith("/")) {
                throw Arguments.invalid("prefix", prefix,
                        "a key prefix such as /apisix, starting and not ending with /");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * How long a call to etcd may take ({@code deployment.etcd.timeout}), default 30 s.
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw Arguments.invalid("timeout", timeout, "> 0");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Builds the source; nothing connects until {@link EtcdConfigSource#start}.
         *
         * @throws IllegalStateException when no endpoint is set
         */
        public EtcdConfigSource build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("endpoints: none (expected: at least one etcd URL)");
            }
            return new EtcdConfigSource(this);
        }
    }
}
