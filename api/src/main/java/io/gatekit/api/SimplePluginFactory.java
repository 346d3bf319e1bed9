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
 * <p>{@link #validate}, {@link #metadataSchema()}, {@link #metadataType()} and {@link #version()}
 * keep their defaults and may be overridden. For a factory registered in code only,
 * {@link PluginFactory#of} needs no class at all.
 *
 * @param <C> the typed config
 */
public abstract class SimplePluginFactory<C> implements PluginFactory<C> {

    private final String name;
    private final int priority;
    private final String configSchema;
    private final Class<C> configType;

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
        this.configSchema = checkSchema(configSchema);
        this.configType = requireNonNull(configType, "configType");
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

    static String checkSchema(String schema) {
        requireNonNull(schema, "configSchema");
        if (!schema.strip().startsWith("{")) {
            throw Arguments.invalid("configSchema", shorten(schema),
                    "a JSON Schema object, such as {\"type\": \"object\"}");
        }
        return schema;
    }

    private static String shorten(String text) {
        String line = text.strip();
        return line.length() <= 40 ? "\"" + line + "\"" : "\"" + line.substring(0, 37) + "...\"";
    }
}
