package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.runner.RunnerConf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * What the three {@code ext-plugin-*} factories share: the schema, the typed config, and turning
 * config plus node attributes into an {@link ExtSetup}. See {@link ExtPluginPreReqFactory} for the
 * config and attributes.
 */
abstract class ExtPluginFactory extends SimplePluginFactory<ExtPluginConfig> {

    /** Without {@code timeout}, a call gets this long: a runner that takes longer is treated as down. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** APISIX's schema (no {@code required}, no {@code additionalProperties}) plus the extensions. */
    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "conf": {"type": "array", "minItems": 1,
                        "items": {"type": "object",
                                  "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 128},
                                                 "value": {"type": "string"}},
                                  "required": ["name", "value"]}},
               "allow_degradation": {"type": "boolean", "default": false},
               "read_request_body": {"type": "boolean",
                                     "description": "buffer the request body so the runner can ask for it; default true"},
               "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600,
                           "description": "seconds one runner call may take; default 5"}%s
             }}""";

    private static final String HEADER_MODE = """
            ,
               "header_mode": {"type": "string", "enum": ["merge", "replace"],
                               "description": "merge (default): runner headers on top of the upstream's; replace: as APISIX"}""";

    ExtPluginFactory(String name, int priority, boolean response) {
        super(name, priority, SCHEMA.formatted(response ? HEADER_MODE : ""), ExtPluginConfig.class);
    }

    @Override
    public final Plugin create(ExtPluginConfig config, PluginContext context) {
        RunnerConf conf = runnerConf(config, context.owner());
        Double timeout = config.timeout();
        long timeoutNanos = Math.max(1, timeout == null ? DEFAULT_TIMEOUT.toNanos() : (long) (timeout * 1e9));
        ExtPluginAttributes attributes = context.attributes(ExtPluginAttributes.class).orElse(null);
        long bodyLimit = ExtPlugin.MAX_BODY;
        RunnerClients.Settings settings = null;
        if (attributes != null) {
            bodyLimit = bodyLimit(attributes.resp_body_limit());
            String socket = attributes.socket_path();
            if (socket != null && socket.startsWith("unix:")) {
                socket = socket.substring("unix:".length()); // as APISIX_LISTEN_ADDRESS spells it
            }
            if (socket != null && !socket.isBlank()) {
                // A call the instance has given up on must not keep holding one of the client's few
                // in-flight slots (and its connection) for the whole read_timeout: a silent runner
                // would then starve every later call even once it answers again. So a frame is never
                // awaited longer than the instance's own timeout.
                Duration read = seconds("read_timeout", attributes.read_timeout(), 60);
                Duration instance = Duration.ofNanos(timeoutNanos);
                settings = new RunnerClients.Settings(Path.of(socket).toAbsolutePath(),
                        seconds("connect_timeout", attributes.connect_timeout(), 1),
                        seconds("send_timeout", attributes.send_timeout(), 60),
                        read.compareTo(instance) <= 0 ? read : instance);
            }
        }
        RunnerMetrics metrics = new RunnerMetrics(context.metrics(), name());
        // Last, so nothing can fail between taking the lease and handing it to the plugin.
        RunnerClients.Lease lease = settings == null ? null : RunnerClients.acquire(settings);
        return newPlugin(new ExtSetup(name(), context.owner(), conf, lease, config.allow_degradation(), timeoutNanos,
                config.read_request_body() == null || config.read_request_body(), bodyLimit,
                HeaderMode.of(config.header_mode()), metrics, context.logger()));
    }

    abstract Plugin newPlugin(ExtSetup setup);

    /**
     * The conf the runner prepares. Its id names the instance as APISIX's token cache does
     * ({@code route#1#ext-plugin-pre-req}); its version is a digest of the runner plugins, so a
     * changed conf gets a new token and an unchanged one keeps it across config changes elsewhere.
     */
    final RunnerConf runnerConf(ExtPluginConfig config, String owner) {
        int space = owner.indexOf(' ');
        String confId = (space < 0 ? owner : owner.substring(0, space) + '#' + owner.substring(space + 1))
                + '#' + name();
        RunnerConf.Builder conf = RunnerConf.builder().id(confId);
        List<ExtPluginConfig.ConfEntry> entries = config.conf() == null ? List.of() : config.conf();
        MessageDigest digest = sha256();
        for (ExtPluginConfig.ConfEntry entry : entries) {
            conf.addPlugin(entry.name(), entry.value());
            digest.update(entry.name().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(entry.value().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return conf.version(HexFormat.of().formatHex(digest.digest(), 0, 8)).build();
    }

    private Duration seconds(String attribute, @Nullable Double value, long defaultSeconds) {
        if (value == null) {
            return Duration.ofSeconds(defaultSeconds);
        }
        if (!(value > 0) || value > 86_400) {
            throw new IllegalArgumentException("plugin_attr." + name() + "." + attribute + ": " + value
                    + " (expected: seconds, more than 0)");
        }
        return Duration.ofNanos((long) (value * 1e9));
    }

    private long bodyLimit(@Nullable Long value) {
        if (value == null) {
            return ExtPlugin.MAX_BODY;
        }
        if (value < 0 || value > ExtPlugin.MAX_BODY) {
            throw new IllegalArgumentException("plugin_attr." + name() + ".resp_body_limit: " + value
                    + " (expected: bytes, 0.." + ExtPlugin.MAX_BODY + ", what one frame carries)");
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
