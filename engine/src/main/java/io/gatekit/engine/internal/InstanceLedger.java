package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin instances of the config in force, counted by the routes that run them, and the
 * replaced snapshots that may still run some. An instance is closed once no route of the config
 * in force runs it and every snapshot that could has drained. Guarded by the engine's write lock.
 */
final class InstanceLedger {

    /** The instances of the config in force, by key. */
    private final Map<String, PluginInstance> live = new HashMap<>();
    /** Replaced snapshots that may still serve requests. */
    private final List<Snapshot> draining = new ArrayList<>();

    /** The instances in force by key, for the next snapshot to reuse. */
    Map<String, PluginInstance> live() {
        return live;
    }

    /**
     * Accounts the instances of a snapshot just put in force, at the cost of what changed: the
     * routes it adds count their instances in, those it drops count theirs out, and an instance
     * no route runs any more is handed to the snapshots that may still run it ({@code old} and
     * any still draining), to be closed when the last of them drains. Then {@code old} retires.
     */
    void account(SnapshotBuilder.Built built, @Nullable Snapshot old) {
        for (CompiledRoute route : built.added()) {
            for (PluginInstance instance : route.instances()) {
                instance.uses++;
            }
        }
        for (PluginInstance instance : built.seen().values()) {
            if (live.get(instance.key()) != instance) {
                if (instance.uses > 0) {
                    live.put(instance.key(), instance);
                } else {
                    instance.release(); // created, then left unused: nothing ever ran it
                }
            }
        }
        List<PluginInstance> dropped = new ArrayList<>();
        for (CompiledRoute route : built.removed()) {
            for (PluginInstance instance : route.instances()) {
                if (--instance.uses == 0) {
                    dropped.add(instance);
                }
            }
        }
        if (old != null) {
            draining.add(old);
        }
        for (PluginInstance instance : dropped) {
            live.remove(instance.key());
        }
        retire(dropped);
        if (old != null) {
            old.retire();
        }
        draining.removeIf(Snapshot::drained);
    }

    /** Hands {@code instances}, dropped from the config in force, to every snapshot still draining. */
    private void retire(List<PluginInstance> instances) {
        for (PluginInstance instance : instances) {
            for (Snapshot snapshot : draining) {
                snapshot.hold(instance);
            }
            instance.release();
        }
    }

    /** Retires {@code last}, the snapshot in force when the engine closes, and every instance with it. */
    void closeAll(Snapshot last) {
        draining.add(last);
        List<PluginInstance> all = new ArrayList<>(live.values());
        live.clear();
        retire(all);
        last.retire();
        draining.removeIf(Snapshot::drained);
    }
}
