package io.gatekit.engine.internal;

import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A created plugin instance and the bookkeeping that guarantees its {@code close()}. It counts
 * its holders: the config in force while some route runs it, then each snapshot that was still
 * serving requests when the config dropped it. It closes the plugin (once) when the last holder
 * lets go.
 */
final class PluginInstance {

    private static final System.Logger LOG = System.getLogger(PluginInstance.class.getName());

    private final String name;
    private final String key;
    private final Plugin plugin;
    private final DefaultPluginContext context;
    private final Set<Phase> phases;
    /** Whether the plugin follows whole calls ({@link Plugin#observe}). */
    private final boolean observes;
    /** The config in force (until dropped), plus each draining snapshot that holds it. */
    private final AtomicInteger holders = new AtomicInteger(1);
    /**
     * How many compiled routes of the config in force run this instance (the global-only chain
     * counts as one); 0 means the config dropped it. Guarded by the engine's write lock.
     */
    int uses;
    private final AtomicBoolean closed = new AtomicBoolean();

    PluginInstance(String name, String key, Plugin plugin, DefaultPluginContext context) {
        this.name = name;
        this.key = key;
        this.plugin = plugin;
        this.context = context;
        this.phases = implementedPhases(plugin.getClass());
        this.observes = overrides(plugin.getClass(), "observe");
    }

    /** The plugin name. */
    public String name() {
        return name;
    }

    /** Identity of the config this instance was created from; equal keys can share an instance. */
    String key() {
        return key;
    }

    /** The plugin. */
    public Plugin plugin() {
        return plugin;
    }

    /** The phases the plugin overrides; the others are never called. */
    public Set<Phase> phases() {
        return phases;
    }

    /** Whether the plugin overrides {@link Plugin#observe}: it is then asked once per call. */
    public boolean observes() {
        return observes;
    }

    /** Whether the plugin has been closed. */
    public boolean isClosed() {
        return closed.get();
    }

    void retain() {
        holders.incrementAndGet();
    }

    void release() {
        if (holders.decrementAndGet() == 0) {
            close();
        }
    }

    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            plugin.close();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "plugin [" + name + "] of " + context.owner() + " failed to close", e);
        } finally {
            context.shutdown();
        }
    }

    /**
     * Finds which phase methods a plugin class overrides, once per instance at config time, as
     * Netty skips handlers that do not implement an event.
     */
    static Set<Phase> implementedPhases(Class<?> type) {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        addIfOverridden(phases, type, Phase.REWRITE, "rewrite");
        addIfOverridden(phases, type, Phase.ACCESS, "access");
        addIfOverridden(phases, type, Phase.BEFORE_PROXY, "beforeProxy");
        addIfOverridden(phases, type, Phase.HEADER_FILTER, "headerFilter");
        addIfOverridden(phases, type, Phase.LOG, "log");
        try {
            Method body = type.getMethod("bodyFilter", io.gatekit.api.http.Exchange.class,
                    ByteBuffer.class, boolean.class);
            if (body.getDeclaringClass() != Plugin.class) {
                phases.add(Phase.BODY_FILTER);
            }
        } catch (NoSuchMethodException impossible) {
            throw new AssertionError(impossible);
        }
        return phases;
    }

    private static void addIfOverridden(Set<Phase> phases, Class<?> type, Phase phase, String method) {
        if (overrides(type, method)) {
            phases.add(phase);
        }
    }

    private static boolean overrides(Class<?> type, String method) {
        try {
            return type.getMethod(method, io.gatekit.api.http.Exchange.class).getDeclaringClass() != Plugin.class;
        } catch (NoSuchMethodException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
