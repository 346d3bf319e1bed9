package io.gatekit.opentelemetry;

import io.gatekit.api.Arguments;
import io.opentelemetry.api.trace.SpanContext;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides whether a call is traced, before any span or id is made: APISIX's samplers
 * ({@code always_on}, {@code always_off}, {@code trace_id_ratio}, {@code parent_base}). Deciding
 * first is what keeps an unsampled call nearly free: no span, no id, nothing allocated unless a
 * message leaves on its behalf. The SDK's own sampler still applies to the calls sampled here, so
 * an application that samples in Gatekit sets the SDK's to always on (or parent-based always on).
 *
 * <pre>{@code
 * TraceSampler sampler = TraceSampler.parentBased(TraceSampler.traceIdRatio(0.1));
 * }</pre>
 */
public abstract class TraceSampler {

    private static final TraceSampler ALWAYS_ON = new Fixed(true, "always_on");
    private static final TraceSampler ALWAYS_OFF = new Fixed(false, "always_off");

    TraceSampler() {
    }

    /** {@return a sampler that traces every call} */
    public static TraceSampler alwaysOn() {
        return ALWAYS_ON;
    }

    /** {@return a sampler that traces no call (the caller's decision is still passed on)} */
    public static TraceSampler alwaysOff() {
        return ALWAYS_OFF;
    }

    /**
     * A sampler that traces {@code fraction} of the calls. A call that continues a trace is
     * decided by its trace id, as OpenTelemetry's ratio sampler does, so every service sampling
     * at the same ratio keeps the same traces; a call that starts a trace is drawn at random, its
     * trace id being made only once it is sampled.
     *
     * @param fraction between 0 and 1
     * @return the sampler
     * @throws IllegalArgumentException when {@code fraction} is outside [0, 1]
     */
    public static TraceSampler traceIdRatio(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw Arguments.invalid("fraction", fraction, "a number in [0, 1]");
        }
        return fraction == 0 ? new Ratio(0) : fraction == 1 ? new Ratio(1) : new Ratio(fraction);
    }

    /**
     * A sampler that follows the caller's decision (the sampled flag of its {@code traceparent})
     * and asks {@code root} when the call starts a trace.
     *
     * @param root decides calls without a parent
     * @return the sampler
     */
    public static TraceSampler parentBased(TraceSampler root) {
        if (root == null) {
            throw new IllegalArgumentException("root: null (expected: a sampler)");
        }
        return new ParentBased(root);
    }

    /**
     * Whether to trace a call whose remote parent is {@code parent} ({@link SpanContext#isValid()}
     * false when the call starts a trace).
     *
     * @param parent the caller's span context, or an invalid one
     * @return true to trace the call
     */
    public abstract boolean sample(SpanContext parent);

    /** Whether a valid parent's sampled flag alone decides (then an unsampled caller costs no parsing). */
    boolean followsParent() {
        return false;
    }

    private static final class Fixed extends TraceSampler {
        private final boolean decision;
        private final String name;

        Fixed(boolean decision, String name) {
            this.decision = decision;
            this.name = name;
        }

        @Override
        public boolean sample(SpanContext parent) {
            return decision;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final class Ratio extends TraceSampler {
        private final double fraction;
        /** As OpenTelemetry's ratio sampler: the low 63 bits of the trace id below this bound sample. */
        private final long bound;

        Ratio(double fraction) {
            this.fraction = fraction;
            this.bound = fraction == 0 ? Long.MIN_VALUE : fraction == 1 ? Long.MAX_VALUE
                    : (long) (fraction * Long.MAX_VALUE);
        }

        @Override
        public boolean sample(SpanContext parent) {
            if (fraction == 0 || fraction == 1) {
                return fraction == 1;
            }
            if (parent.isValid()) {
                String traceId = parent.getTraceId();
                long low = Long.parseUnsignedLong(traceId.substring(16), 16);
                return Math.abs(low) < bound;
            }
            return ThreadLocalRandom.current().nextDouble() < fraction;
        }

        @Override
        public String toString() {
            return "trace_id_ratio(" + fraction + ")";
        }
    }

    private static final class ParentBased extends TraceSampler {
        private final TraceSampler root;

        ParentBased(TraceSampler root) {
            this.root = root;
        }

        @Override
        public boolean sample(SpanContext parent) {
            return parent.isValid() ? parent.isSampled() : root.sample(parent);
        }

        @Override
        boolean followsParent() {
            return true;
        }

        @Override
        public String toString() {
            return "parent_base(" + root + ")";
        }
    }
}
