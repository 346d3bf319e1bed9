package io.gatekit.api;

import static java.util.Objects.requireNonNull;

/**
 * A {@link PluginFactory} whose name, priority, schema and config type are given once, to the
 * constructor, instead of in four methods. Subclass it with a public no-argument constructor to be
 * found by {@link java.util.ServiceLoader}:
 *
 * <pre>{@code
 * public final class StampFactory extends SimplePluginFactory<StampFactory.Config> {
 *     public record Config(String value) {}
 *
 *     public StampFactory() {
 *         super("stamp", 50, """
 *                 {"type": "object",
 *                  "properties": {"value": {"type": "string", "minLength": 1}},
 *                  "required": ["value"]}""", Config.class);
 *     }
 *
 *     public Plugin create(Config config, PluginContext context) {
 *         return new StampPlugin(config.value());
 *     }
 * }
 * }</pre>
 *
 * <p>A plugin with {@code plugin_metadata} passes its schema and type to the longer constructor.
 * {@link #validate} and {@link #version()} keep their defaults and may be overridden. For a factory registered in code only,
 * {@link PluginFactory#of} needs no class at all.
 *
 * @param <C> the typed config
 */
public abstract class SimplePluginFactory<C> implements PluginFactory<C> {

    private final String name;
    private final int priority;
    private final String configSchema;
    private final Class<C> configType;
    private final @Nullable String metadataSchema;
    private final Class<?> metadataType;

    /**
     * Checks every argument at once, so a factory with a missing part fails where it is made, not
     * when a config is applied.
     *
     * @param name         the plugin's name in config
     * @param priority     the order within a phase, higher first
     * @param configSchema the JSON Schema of an instance's config
     * @param configType   the record the config binds to
     */
    protected SimplePluginFactory(String name, int priority, String configSchema, Class<C> configType) {
        this.name = checkName(name);
        this.priority = priority;
        this.configSchema = checkSchema("configSchema", configSchema);
        this.configType = requireNonNull(configType, "configType");
        this.metadataSchema = null;
        this.metadataType = Void.class;
    }

    /**
     * The same, for a plugin that reads {@code plugin_metadata}.
     *
     * @param name           the plugin's name in config
     * @param priority       the order within a phase, higher first
     * @param configSchema   the JSON Schema of an instance's config
     * @param configType     the record the config binds to
     * @param metadataSchema the JSON Schema of the plugin's {@code plugin_metadata}
     * @param metadataType   the record the metadata binds to
     */
    protected SimplePluginFactory(String name, int priority, String configSchema, Class<C> configType,
            String metadataSchema, Class<?> metadataType) {
        this.name = checkName(name);
        this.priority = priority;
        this.configSchema = checkSchema("configSchema", configSchema);
        this.configType = requireNonNull(configType, "configType");
        this.metadataSchema = checkSchema("metadataSchema", metadataSchema);
        this.metadataType = requireNonNull(metadataType, "metadataType");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final String configSchema() {
        return configSchema;
    }

    @Override
    public final Class<C> configType() {
        return configType;
    }

    @Override
    public @Nullable String metadataSchema() {
        return metadataSchema;
    }

    @Override
    public Class<?> metadataType() {
        return metadataType;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + ", priority " + priority + "]";
    }

    static String checkName(String name) {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw Arguments.invalid("name", "\"" + name + "\"", "a plugin name such as proxy-rewrite");
        }
        return name;
    }

    static String checkSchema(String field, String schema) {
        requireNonNull(schema, field);
        if (!schema.strip().startsWith("{")) {
            throw Arguments.invalid(field, shorten(schema),
                    "a JSON Schema object, such as {\"type\": \"object\"}");
        }
        return schema;
    }

    private static String shorten(String text) {
        String line = text.strip();
        return line.length() <= 40 ? "\"" + line + "\"" : "\"" + line.substring(0, 37) + "...\"";
    }
}
