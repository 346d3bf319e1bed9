package io.gatekit.engine.internal;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.internal.schema.CompiledSchema;
import io.gatekit.engine.internal.schema.MetaSchema;
import io.gatekit.engine.internal.schema.SchemaValidator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The known plugins by name. Built once by the engine builder; immutable afterwards.
 */
final class PluginRegistry {

    private final Map<String, RegisteredPlugin> plugins;

    private PluginRegistry(Map<String, RegisteredPlugin> plugins) {
        this.plugins = plugins;
    }

    /**
     * Registers {@code factories} in order.
     *
     * @throws IllegalStateException when two factories share a name (both classes are named) or a
     *         factory's schema does not compile
     */
    public static PluginRegistry of(Collection<? extends PluginFactory<?>> factories,
            SchemaValidator validator) {
        Map<String, RegisteredPlugin> byName = new LinkedHashMap<>();
        for (PluginFactory<?> factory : factories) {
            RegisteredPlugin plugin = register(factory, validator);
            RegisteredPlugin clash = byName.putIfAbsent(plugin.name(), plugin);
            if (clash != null && clash.factory().getClass() != factory.getClass()) {
                throw new IllegalStateException("duplicate plugin name [" + plugin.name() + "]: "
                        + clash.factory().getClass().getName() + " and " + factory.getClass().getName()
                        + " (expected: unique names; remove one jar or rename one plugin)");
            }
        }
        return new PluginRegistry(Collections.unmodifiableMap(byName));
    }

    /** Factories visible to {@code loader} through {@link ServiceLoader}. */
    public static List<PluginFactory<?>> discover(ClassLoader loader) {
        List<PluginFactory<?>> found = new ArrayList<>();
        for (PluginFactory<?> factory : ServiceLoader.load(PluginFactory.class, loader)) {
            found.add(factory);
        }
        return found;
    }

    private static RegisteredPlugin register(PluginFactory<?> factory, SchemaValidator validator) {
        String name = requireNonNull(factory.name(), () -> factory.getClass().getName() + ".name()");
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
            throw new IllegalStateException("plugin name: \"" + name + "\" of " + factory.getClass().getName()
                    + " (expected: letters, digits, '-', '_' or '.', at most 128)");
        }
        requireNonNull(factory.configType(), () -> name + ": configType()");
        String schemaText = MetaSchema.inject(name, requireNonNull(factory.configSchema(),
                () -> name + ": configSchema()"));
        CompiledSchema schema = compile(validator, name, "configSchema()", schemaText);
        String metadataText = factory.metadataSchema();
        CompiledSchema metadata = metadataText == null ? null
                : compile(validator, name, "metadataSchema()", metadataText);
        String consumerText = factory.consumerSchema();
        PluginInfo info = new PluginInfo(name, factory.version(), factory.priority(), schemaText,
                metadataText, consumerText, factory.getClass().getName());
        CompiledSchema consumer = consumerText == null ? null
                : compile(validator, name, "consumerSchema()", consumerText);
        return new RegisteredPlugin(factory, info, schema, metadata, consumer);
    }

    private static CompiledSchema compile(SchemaValidator validator, String plugin, String what,
            String schema) {
        try {
            return validator.compile(schema);
        } catch (RuntimeException e) {
            throw new IllegalStateException("plugin [" + plugin + "] " + what + " is not a valid JSON Schema: "
                    + e.getMessage(), e);
        }
    }

    /** The plugin called {@code name}, or {@code null}. */
    public @Nullable RegisteredPlugin get(String name) {
        return plugins.get(name);
    }

    /** All plugins, in registration order. */
    public Collection<RegisteredPlugin> all() {
        return plugins.values();
    }
}
