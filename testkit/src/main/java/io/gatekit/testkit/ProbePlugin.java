package io.gatekit.testkit;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The conformance check's view of one instance: it times each phase call until the method
 * returns (not until an async stage completes: that is not blocking) and counts closes. It
 * overrides every phase, so the engine calls them all; only those the plugin implements are
 * reported. A throwing {@code close()} is recorded, not rethrown: the engine would only log it.
 */
final class ProbePlugin implements Plugin {

    private final Plugin delegate;
    private final Set<Phase> implemented;
    private final Map<Phase, List<Long>> calls = new EnumMap<>(Phase.class);
    private final AtomicInteger closes = new AtomicInteger();
    private final List<Throwable> closeErrors = new ArrayList<>();

    ProbePlugin(Plugin delegate) {
        this.delegate = delegate;
        this.implemented = implementedPhases(delegate.getClass());
    }

    Plugin delegate() {
        return delegate;
    }

    Set<Phase> implemented() {
        return implemented;
    }

    /** Per implemented phase, how long each call took to return, in nanoseconds. */
    Map<Phase, List<Long>> calls() {
        synchronized (calls) {
            Map<Phase, List<Long>> copy = new EnumMap<>(Phase.class);
            calls.forEach((phase, list) -> copy.put(phase, List.copyOf(list)));
            return copy;
        }
    }

    int closes() {
        return closes.get();
    }

    List<Throwable> closeErrors() {
        synchronized (closeErrors) {
            return List.copyOf(closeErrors);
        }
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
        return timed(Phase.REWRITE, () -> delegate.rewrite(exchange));
    }

    @Override
    public Outcome access(Exchange exchange) {
        return timed(Phase.ACCESS, () -> delegate.access(exchange));
    }

    @Override
    public Outcome beforeProxy(Exchange exchange) {
        return timed(Phase.BEFORE_PROXY, () -> delegate.beforeProxy(exchange));
    }

    @Override
    public Completion headerFilter(Exchange exchange) {
        return timed(Phase.HEADER_FILTER, () -> delegate.headerFilter(exchange));
    }

    @Override
    public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
        return timed(Phase.BODY_FILTER, () -> delegate.bodyFilter(exchange, chunk, last));
    }

    @Override
    public void log(Exchange exchange) {
        timed(Phase.LOG, () -> {
            delegate.log(exchange);
            return null;
        });
    }

    @Override
    public BodyBuffering bodyBuffering() {
        return delegate.bodyBuffering();
    }

    @Override
    public boolean failOpen() {
        return delegate.failOpen();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        try {
            delegate.close();
        } catch (Throwable e) {
            synchronized (closeErrors) {
                closeErrors.add(e);
            }
        }
    }

    private <T> T timed(Phase phase, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            long took = System.nanoTime() - start;
            if (implemented.contains(phase)) {
                synchronized (calls) {
                    calls.computeIfAbsent(phase, p -> new ArrayList<>()).add(took);
                }
            }
        }
    }

    /** The phase methods {@code type} overrides, found as the engine finds them. */
    static Set<Phase> implementedPhases(Class<?> type) {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        try {
            addIfOverridden(phases, type.getMethod("rewrite", Exchange.class), Phase.REWRITE);
            addIfOverridden(phases, type.getMethod("access", Exchange.class), Phase.ACCESS);
            addIfOverridden(phases, type.getMethod("beforeProxy", Exchange.class), Phase.BEFORE_PROXY);
            addIfOverridden(phases, type.getMethod("headerFilter", Exchange.class), Phase.HEADER_FILTER);
            addIfOverridden(phases, type.getMethod("bodyFilter", Exchange.class, ByteBuffer.class, boolean.class),
                    Phase.BODY_FILTER);
            addIfOverridden(phases, type.getMethod("log", Exchange.class), Phase.LOG);
        } catch (NoSuchMethodException impossible) {
            throw new AssertionError(impossible);
        }
        return phases;
    }

    private static void addIfOverridden(Set<Phase> phases, Method method, Phase phase) {
        if (method.getDeclaringClass() != Plugin.class) {
            phases.add(phase);
        }
    }
}
