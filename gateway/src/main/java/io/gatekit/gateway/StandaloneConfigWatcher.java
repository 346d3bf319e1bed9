package io.gatekit.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.util.List;
import java.util.Optional;
import io.gatekit.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves routes from a file in APISIX's standalone {@code apisix.yaml} layout (YAML or JSON),
 * re-read whenever it changes. An invalid file is logged with every violation and the last good
 * config stays in force. APISIX's {@code #END} marker line is accepted and ignored.
 *
 * <p>As a {@link ConfigSource} it is read-only, as APISIX's standalone mode: the file is the
 * config, so Admin API writes are refused (405) rather than silently lost at the next reload.
 */
final class StandaloneConfigWatcher implements ConfigSource {

    private static final System.Logger LOG = System.getLogger(StandaloneConfigWatcher.class.getName());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path file;
    private final ScheduledExecutorService poller;
    private String lastApplied = "";
    private @Nullable Engine engine;

    StandaloneConfigWatcher(Path file) {
        this.file = file;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatekit-standalone-config");
            t.setDaemon(true);
            return t;
        });
    }

    /** Applies the file now (failing start-up if it is invalid), then polls it every second. */
    @Override
    public void start(Engine engine) {
        this.engine = engine;
        String text = read();
        apply(text);
        lastApplied = text;
        poller.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
    }

    private void reloadIfChanged() {
        try {
            String text = read();
            if (text.equals(lastApplied)) {
                return;
            }
            lastApplied = text;
            apply(text);
            LOG.log(System.Logger.Level.INFO, "applied " + file + " (config version " + engine().version() + ")");
        } catch (ConfigException e) {
            LOG.log(System.Logger.Level.ERROR, file + " rejected, the previous config stays in force: "
                    + e.errorMsg() + "; all violations: " + e.violations());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, file + " unreadable, the previous config stays in force: "
                    + e.getMessage());
        }
    }

    private String read() {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void apply(String text) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text.replaceAll("(?m)^#END\\s*$", ""));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        engine().replaceAll(tree == null || tree.isNull() ? "{}" : tree.toString());
    }

    private Engine engine() {
        Engine started = engine;
        if (started == null) {
            throw new IllegalStateException("standalone config not started");
        }
        return started;
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
        String message = "the config is read from " + file.getFileName() + " (standalone mode): edit the file instead";
        return new ConfigException(405, message, List.of(new Violation("", "readOnly", message
                + " (expected: no Admin API writes with a standalone config file)")));
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
