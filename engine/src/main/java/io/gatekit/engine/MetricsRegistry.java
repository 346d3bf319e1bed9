package io.gatekit.engine;

import io.gatekit.api.Arguments;
import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Gauge;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The in-memory {@link Metrics} the engine hands to plugins, and that hosts export. Counters and
 * timers are striped adders: recording never locks or allocates; gauges are read when rendered. {@link #prometheusText()} renders
 * everything in the Prometheus text format (timers as histograms in seconds).
 *
 * <pre>{@code
 * MetricsRegistry metrics = engine.metrics();
 * String scrape = metrics.prometheusText();
 * }</pre>
 */
public final class MetricsRegistry implements Metrics {

    private static final double[] BUCKETS_SECONDS = {0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
            2.5, 5, 10, 30, 60};

    private static final java.util.regex.Pattern METRIC_NAME = java.util.regex.Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final Map<String, Map<String, CounterSeries>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, TimerSeries>> timers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, GaugeSeries>> gauges = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name, String... labels) {
        checkName(name);
        return counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new CounterSeries());
    }

    @Override
    public Timer timer(String name, String... labels) {
        checkName(name);
        return timers.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new TimerSeries());
    }

    @Override
    public Gauge gauge(String name, DoubleSupplier value, String... labels) {
        checkName(name);
        java.util.Objects.requireNonNull(value, "value");
        Map<String, GaugeSeries> series = gauges.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        GaugeSeries gauge = new GaugeSeries(series, labelText(labels), value);
        series.put(gauge.labels, gauge); // a newer registration of the series takes over
        return gauge;
    }

    /** Every series in the Prometheus text exposition format, sorted by name. */
    public String prometheusText() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(counters).forEach((name, series) -> {
            out.append("# TYPE ").append(name).append(" counter\n");
            new TreeMap<>(series).forEach((labels, c) -> out.append(name).append(braces(labels)).append(' ')
                    .append(c.count()).append('\n'));
        });
        new TreeMap<>(timers).forEach((name, series) -> {
            out.append("# TYPE ").append(name).append(" histogram\n");
            new TreeMap<>(series).forEach((labels, t) -> t.render(out, name, labels));
        });
        new TreeMap<>(gauges).forEach((name, series) -> {
            if (series.isEmpty()) {
                return;
            }
            out.append("# TYPE ").append(name).append(" gauge\n");
            new TreeMap<>(series).forEach((labels, g) -> out.append(name).append(braces(labels)).append(' ')
                    .append(number(g.value())).append('\n'));
        });
        return out.toString();
    }

    /** A value as Prometheus writes it: integral values without a fraction, NaN and infinities by name. */
    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static String braces(String labels) {
        return labels.isEmpty() ? "" : "{" + labels + "}";
    }

    private static void checkName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw Arguments.invalid("name", "\"" + name + "\"", "a Prometheus metric name");
        }
    }

    private static String labelText(String[] labels) {
        if (labels.length % 2 != 0) {
            throw Arguments.invalid("labels", Arrays.toString(labels), "alternating names and values");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            sb.append(i == 0 ? "" : ",").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        return sb.toString();
    }

    private static final class GaugeSeries implements Gauge {
        private final Map<String, GaugeSeries> owner;
        private final String labels;
        private final DoubleSupplier supplier;

        GaugeSeries(Map<String, GaugeSeries> owner, String labels, DoubleSupplier supplier) {
            this.owner = owner;
            this.labels = labels;
            this.supplier = supplier;
        }

        @Override
        public double value() {
            try {
                return supplier.getAsDouble();
            } catch (RuntimeException e) {
                return Double.NaN; // a broken supplier must not break the scrape
            }
        }

        @Override
        public void remove() {
            owner.remove(labels, this);
        }
    }

    private static final class CounterSeries implements Counter {
        private final LongAdder adder = new LongAdder();

        @Override
        public void add(long amount) {
            if (amount < 0) {
                throw Arguments.invalid("amount", amount, ">= 0");
            }
            adder.add(amount);
        }

        @Override
        public long count() {
            return adder.sum();
        }
    }

    private static final class TimerSeries implements Timer {
        private final LongAdder[] buckets = new LongAdder[BUCKETS_SECONDS.length];
        private final LongAdder count = new LongAdder();
        private final LongAdder total = new LongAdder();

        TimerSeries() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        @Override
        public void record(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
                if (seconds <= BUCKETS_SECONDS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            total.add(nanos);
        }

        @Override
        public long count() {
            return count.sum();
        }

        @Override
        public long totalNanos() {
            return total.sum();
        }

        void render(StringBuilder out, String name, String labels) {
            long cumulative = 0;
            String sep = labels.isEmpty() ? "" : ",";
            for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
                cumulative += buckets[i].sum();
                out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"")
                        .append(String.format(Locale.ROOT, "%s", BUCKETS_SECONDS[i])).append("\"} ")
                        .append(cumulative).append('\n');
            }
            long n = count.sum();
            out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"+Inf\"} ").append(n).append('\n');
            out.append(name).append("_sum").append(braces(labels)).append(' ')
                    .append(String.format(Locale.ROOT, "%.9f", total.sum() / 1e9)).append('\n');
            out.append(name).append("_count").append(braces(labels)).append(' ').append(n).append('\n');
        }
    }
}
