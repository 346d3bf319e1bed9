package io.gatekit.api;

import io.gatekit.api.http.Exchange;
import java.util.List;

/** Several listeners as one; see {@link EngineListener#of}. */
final class EngineListeners implements EngineListener {

    private final EngineListener[] listeners;
    private final boolean timesPlugins;

    EngineListeners(List<EngineListener> listeners) {
        this.listeners = listeners.toArray(new EngineListener[0]);
        this.timesPlugins = listeners.stream().anyMatch(EngineListener::timesPlugins);
    }

    @Override
    public boolean timesPlugins() {
        return timesPlugins;
    }

    @Override
    public @Nullable CallObserver callStarted(Exchange exchange) {
        CallObserver observer = null;
        for (EngineListener listener : listeners) {
            observer = CallObserver.both(observer, listener.callStarted(exchange));
        }
        return observer;
    }

    @Override
    public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
        for (EngineListener listener : listeners) {
            if (listener.timesPlugins()) {
                listener.pluginPhase(plugin, phase, routeId, nanos);
            }
        }
    }

    @Override
    public void pluginFailed(String plugin, Phase phase, String routeId, Throwable error) {
        for (EngineListener listener : listeners) {
            listener.pluginFailed(plugin, phase, routeId, error);
        }
    }

    @Override
    public void configApplied(long version) {
        for (EngineListener listener : listeners) {
            listener.configApplied(version);
        }
    }

    @Override
    public void configRejected(List<String> reasons) {
        for (EngineListener listener : listeners) {
            listener.configRejected(reasons);
        }
    }
}
