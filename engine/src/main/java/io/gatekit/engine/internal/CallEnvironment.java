package io.gatekit.engine.internal;

import io.gatekit.api.EngineListener;
import io.gatekit.engine.internal.host.HostSupport;

/**
 * What every call of one engine reads and none owns: the host support (upstream policy, the
 * one-call drive), the engine's listener and whether it times plugin phases. One object per
 * engine, so a call keeps one reference to it instead of a field for each.
 *
 * @param hosts    the upstream policy and the drive of {@code Call#serve}
 * @param listener the engine's listener, {@link EngineListener#NONE} for none
 * @param timed    whether the listener times plugin phases; read once, so a call pays no virtual call for it
 */
record CallEnvironment(HostSupport hosts, EngineListener listener, boolean timed) {

    CallEnvironment(HostSupport hosts, EngineListener listener) {
        this(hosts, listener, listener != EngineListener.NONE && listener.timesPlugins());
    }
}
