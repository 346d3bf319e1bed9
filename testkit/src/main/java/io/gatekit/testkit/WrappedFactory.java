package io.gatekit.testkit;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;

/**
 * A plugin factory seen through the testkit: everything the engine reads is the real factory's,
 * only {@link #create} passes through {@link Hooks}, which may swap context services or observe
 * the created instance. The harness keeps the instance as created, so the engine sees the plugin's
 * own class and runs exactly the phases it implements.
 */
final class WrappedFactory<C> implements PluginFactory<C> {

    /** What the testkit does around {@code create}. */
    interface Hooks {
        /** The context the plugin gets instead of the engine's. */
        PluginContext context(PluginContext engineContext);

        /** The instance the engine gets instead of the plugin's. */
        Plugin instance(Plugin created, PluginContext context);

        /** Whether a phase the engine reports for {@code plugin} belongs in the trace. */
        default boolean traced(String plugin, io.gatekit.api.Phase phase) {
            return true;
        }
    }

    private final PluginFactory<C> delegate;
    private final Hooks hooks;

    private WrappedFactory(PluginFactory<C> delegate, Hooks hooks) {
        this.delegate = delegate;
        this.hooks = hooks;
    }

    static <C> WrappedFactory<C> wrap(PluginFactory<C> delegate, Hooks hooks) {
        return new WrappedFactory<>(delegate, hooks);
    }

    PluginFactory<C> delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String version() {
        return delegate.version();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public String configSchema() {
        return delegate.configSchema();
    }

    @Override
    public @Nullable String metadataSchema() {
        return delegate.metadataSchema();
    }

    @Override
    public boolean authenticates() {
        return delegate.authenticates();
    }

    @Override
    public @Nullable String consumerSchema() {
        return delegate.consumerSchema();
    }

    @Override
    public @Nullable String consumerKeyField() {
        return delegate.consumerKeyField();
    }

    @Override
    public java.util.List<String> secretFields() {
        return delegate.secretFields();
    }

    @Override
    public Class<C> configType() {
        return delegate.configType();
    }

    @Override
    public Class<?> metadataType() {
        return delegate.metadataType();
    }

    @Override
    public void validate(C config) {
        delegate.validate(config);
    }

    @Override
    public Plugin create(C config, PluginContext context) {
        PluginContext swapped = hooks.context(context);
        Plugin created = delegate.create(config, swapped);
        return created == null ? null : hooks.instance(created, swapped);
    }

    @Override
    public String toString() {
        return delegate.getClass().getName();
    }
}
