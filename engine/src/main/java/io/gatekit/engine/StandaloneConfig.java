package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The config from a document in APISIX's standalone layout ({@code apisix.yaml}, YAML or JSON):
 * {@code routes}, {@code upstreams}, {@code services}, {@code global_rules}, ... each a list of
 * resources with their {@code id}. APISIX's {@code #END} marker line is accepted and ignored.
 *
 * <pre>{@code
 * StandaloneConfig config = StandaloneConfig.file(Path.of("conf/apisix.yaml"));   // followed
 * config.start(engine);      // throws ConfigException (APISIX's error_msg) when the file is invalid
 * ...
 * config.lastRejection();    // the last change that was refused, until a good one applies
 * }</pre>
 *
 * <p>{@link #start} applies the document and fails when it is invalid (a {@link ConfigException}
 * with APISIX's {@code error_msg} and every violation) or unreadable. A file is then re-read every
 * second and applied whenever its text changes; an invalid or unreadable change is logged with
 * every violation, kept as {@link #lastRejection()}, and the last good config stays in force. A
 * class path resource is read once: it is part of the application.
 *
 * <p>As a {@link ConfigSource} it is read-only, as APISIX's standalone mode: the document is the
 * config, so writes through the source (the gateway's Admin API) are refused with 405 rather than
 * lost at the next reload.
 */
public final class StandaloneConfig implements ConfigSource {

    private static final System.Logger LOG = System.getLogger(StandaloneConfig.class.getName());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String name;
    private final @Nullable Path file;
    private final @Nullable String resource;
    private final @Nullable ClassLoader loader;
    private final Object lock = new Object();
    private @Nullable ScheduledExecutorService poller;
    private String lastApplied = "";
    private volatile @Nullable ConfigException lastRejection;
    private volatile @Nullable Engine engine;
    private boolean closed;

    private StandaloneConfig(String name, @Nullable Path file, @Nullable String resource,
            @Nullable ClassLoader loader) {
        this.name = name;
        this.file = file;
        this.resource = resource;
        this.loader = loader;
    }

    /** The document in {@code file}, re-read when it changes. */
    public static StandaloneConfig file(Path file) {
        requireNonNull(file, "file");
        return new StandaloneConfig(file.toString(), file, null, null);
    }

    /**
     * The document in the class path resource {@code name} (as {@link ClassLoader#getResource},
     * no leading slash), found with the thread's context class loader; read once.
     */
    public static StandaloneConfig classpath(String name) {
        return classpath(name, Thread.currentThread().getContextClassLoader());
    }

    /** The document in the class path resource {@code name} of {@code loader}; read once. */
    public static StandaloneConfig classpath(String name, ClassLoader loader) {
        requireNonNull(name, "name");
        requireNonNull(loader, "loader");
        if (name.isEmpty() || name.startsWith("/")) {
            throw Arguments.invalid("name", "\"" + name
                    + "\"", "a class path resource without a leading slash, e.g. apisix.yaml");
        }
        return new StandaloneConfig("classpath:" + name, null, name, loader);
    }

    /**
     * Applies the document now, then follows a file's changes.
     *
     * @throws ConfigException          when the document is invalid (nothing is applied)
     * @throws IllegalArgumentException when it cannot be read or is not YAML or JSON
     * @throws IllegalStateException    when this source was started before or is closed
     */
    @Override
    public void start(Engine engine) {
        requireNonNull(engine, "engine");
        synchronized (lock) {
            if (this.engine != null || closed) {
                throw new IllegalStateException("standalone config " + name + ": "
                        + (closed ? "closed" : "already started") + " (expected: start once)");
            }
            String text = read();
            apply(engine, text);
            this.engine = engine;
            lastApplied = text;
            if (file != null) {
                poller = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "gatekit-standalone-config");
                    t.setDaemon(true);
                    return t;
                });
                poller.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Where the document comes from: the file's path, or {@code classpath:} and the resource. */
    public String name() {
        return name;
    }

    /**
     * The last change of the file that was refused (invalid, unreadable or not YAML), while the
     * config before it stays in force; empty at start and once a later change applied.
     */
    public Optional<ConfigException> lastRejection() {
        return Optional.ofNullable(lastRejection);
    }

    private void reloadIfChanged() {
        Engine started = engine;
        if (started == null) {
            return;
        }
        try {
            String text = read();
            synchronized (lock) {
                if (closed || text.equals(lastApplied)) {
                    return;
                }
                lastApplied = text;
                apply(started, text);
                lastRejection = null;
            }
            LOG.log(System.Logger.Level.INFO, "applied " + name + " (config version " + started.version() + ")");
        } catch (ConfigException e) {
            lastRejection = e;
            LOG.log(System.Logger.Level.ERROR, name + " rejected, the previous config stays in force: "
                    + e.errorMsg() + "; all violations: " + e.violations());
        } catch (RuntimeException e) {
            lastRejection = new ConfigException(400, e.getMessage(), List.of(new Violation("", "format",
                    e.getMessage() + " (expected: a readable YAML or JSON document)")));
            LOG.log(System.Logger.Level.ERROR, name + " unreadable, the previous config stays in force: "
                    + e.getMessage());
        }
    }

    private String read() {
        try {
            if (file != null) {
                return Files.readString(file);
            }
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("cannot read " + name + ": no such resource on the class path");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private void apply(Engine target, String text) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text.replaceAll("(?m)^#END\\s*$", ""));
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        target.replaceAll(tree == null || tree.isNull() || tree.isMissingNode() ? "{}" : tree.toString());
    }

    @Override
    public Resource put(ResourceKind kind, String id, String json) {
        throw readOnly();
    }

    @Override
    public Resource create(ResourceKind kind, String json) {
        throw readOnly();
    }

    @Override
    public Optional<Resource> delete(ResourceKind kind, String id, boolean force) {
        throw readOnly();
    }

    private ConfigException readOnly() {
        String shown = file != null && file.getFileName() != null ? file.getFileName().toString() : name;
        String message = "the config is read from " + shown + " (standalone mode): edit the file instead";
        return new ConfigException(405, message, List.of(new Violation("", "readOnly", message
                + " (expected: no Admin API writes with a standalone config file)")));
    }

    /** Stops following the file; the engine keeps the config it has. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (poller != null) {
                poller.shutdownNow();
            }
        }
    }
}
