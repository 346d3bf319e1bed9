package io.gatekit.api;

/**
 * Declares a plugin and creates its instances. Found with {@link java.util.ServiceLoader} (list
 * the class in {@code META-INF/services/io.gatekit.api.PluginFactory}) or registered in code.
 *
 * <p>The engine validates each config against {@link #configSchema()} (with APISIX's {@code _meta}
 * injected), fills in schema defaults, binds the result to {@link #configType()} (a record or a
 * class with a no-argument constructor; JSON names map to component names, {@code snake_case} is
 * accepted for {@code camelCase}), calls {@link #validate} for the checks a schema cannot express,
 * and only then calls {@link #create}. The plugin never parses JSON itself.
 *
 * <pre>{@code
 * public final class StampPluginFactory implements PluginFactory<StampPluginFactory.Config> {
 *     public record Config(String value) {}
 *
 *     public String name() { return "stamp"; }
 *     public int priority() { return 50; }
 *     public Class<Config> configType() { return Config.class; }
 *     public String configSchema() {
 *         return """
 *             {"type": "object",
 *              "properties": {"value": {"type": "string", "minLength": 1}},
 *              "required": ["value"]}""";
 *     }
 *     public Plugin create(Config config, PluginContext context) {
 *         return new StampPlugin(config.value());
 *     }
 * }
 * }</pre>
 *
 * @param <C> the typed config
 */
public interface PluginFactory<C> {

    /** {@return the unique plugin name used in config, e.g. {@code proxy-mirror}} */
    String name();

    /** {@return informational version of the plugin} */
    default String version() {
        return "0.1";
    }

    /**
     * Default priority; higher runs first within a phase. Overridable per instance with
     * {@code _meta.priority}. Custom plugins should pick a value no other plugin uses.
     *
     * @return the default priority
     */
    int priority();

    /** {@return JSON Schema (draft 4 to 7) of one instance's config, as text; must not declare {@code _meta}} */
    String configSchema();

    /** {@return JSON Schema of this plugin's {@code plugin_metadata}, or {@code null} if it has none} */
    default @Nullable String metadataSchema() {
        return null;
    }

    /**
     * Whether this is an authentication plugin, APISIX's {@code type = "auth"}: it runs in
     * {@code rewrite}, finds the consumer from the request and the credentials in the consumers'
     * configs of it, and attaches it. On a consumer its config holds credentials and is checked
     * against {@link #consumerSchema()}; it never runs from there.
     *
     * @return true for an authentication plugin; false (the default) otherwise
     */
    default boolean authenticates() {
        return false;
    }

    /**
     * {@return the JSON Schema of this authentication plugin's config on a consumer (APISIX's
     * {@code consumer_schema}), or {@code null} to use {@link #configSchema()}}
     */
    default @Nullable String consumerSchema() {
        return null;
    }

    /**
     * {@return the field of this authentication plugin's consumer config that identifies a
     * consumer, e.g. {@code key} of {@code key-auth} or {@code username} of {@code basic-auth}, or
     * {@code null}} No two consumers may have the same value in it (APISIX refuses a duplicate
     * key); {@link io.gatekit.api.http.Exchange#findConsumer} looks it up without a scan.
     */
    default @Nullable String consumerKeyField() {
        return null;
    }

    /**
     * {@return the fields of this plugin's consumer config that hold secrets (APISIX's
     * {@code encrypt_fields}), e.g. {@code key}: the engine never shows their values, in the
     * Admin API, explain output or logs}
     */
    default java.util.List<String> secretFields() {
        return java.util.List.of();
    }

    /** {@return the type the validated config is bound to} */
    Class<C> configType();

    /** {@return the type {@code plugin_metadata} is bound to; used only when {@link #metadataSchema()} is set} */
    default Class<?> metadataType() {
        return Void.class;
    }

    /**
     * Checks that a schema cannot express (a regex that must compile, fields that depend on each
     * other). Throw {@link IllegalArgumentException} with a message naming the field and the
     * expected form; the engine reports it as a violation and rejects the change.
     *
     * @param config the config, already valid against the schema
     */
    default void validate(C config) {
    }

    /**
     * Creates an instance for a validated config; this is the plugin's {@code init}. Runs when a
     * config is applied, never on the request path. {@link Plugin#close()} is its {@code destroy}.
     *
     * @param config the validated, bound config
     * @param context the instance's context: its name, client, scheduler, metrics, logger
     * @return the new instance
     */
    Plugin create(C config, PluginContext context);

    /**
     * Creates instances of a plugin declared with {@link #of}: its {@code create}.
     *
     * @param <C> the typed config
     */
    @FunctionalInterface
    interface Creator<C> {
        /**
         * {@return a new instance for a validated {@code config}}
         *
         * @param config  the validated, typed config
         * @param context what the engine hands the instance
         */
        Plugin create(C config, PluginContext context);
    }

    /**
     * A factory declared in one call, for plugins registered in code
     * ({@code Engine.builder().plugin(...)}); a plugin found by {@link java.util.ServiceLoader}
     * needs a class with a no-argument constructor: extend {@link SimplePluginFactory}.
     *
     * <pre>{@code
     * PluginFactory<Stamp> stamp = PluginFactory.of("stamp", 50, """
     *         {"type": "object", "properties": {"value": {"type": "string"}}}""",
     *         Stamp.class, (config, context) -> new StampPlugin(config.value()));
     * }</pre>
     *
     * @param <C>          the typed config
     * @param name         the plugin's name in config
     * @param priority     the order within a phase, higher first
     * @param configSchema the JSON Schema of an instance's config
     * @param configType   the record the config binds to
     * @param creator      creates an instance from a validated config
     * @return the factory
     * @throws IllegalArgumentException when {@code name} is blank or {@code configSchema} is not
     *     a JSON object
     */
    static <C> PluginFactory<C> of(String name, int priority, String configSchema, Class<C> configType,
            Creator<C> creator) {
        java.util.Objects.requireNonNull(creator, "creator");
        return new SimplePluginFactory<C>(name, priority, configSchema, configType) {
            @Override
            public Plugin create(C config, PluginContext context) {
                return creator.create(config, context);
            }
        };
    }
}
