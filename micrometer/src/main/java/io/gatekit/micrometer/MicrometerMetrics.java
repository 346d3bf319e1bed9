package io.gatekit.micrometer;

import io.gatekit.api.Arguments;
import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Gauge;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * {@link Metrics} over a {@link MeterRegistry}: each series is a meter, looked up once by the
 * caller and kept, so recording is Micrometer's own cost. See {@link GatekitMicrometer} for names.
 */
final class MicrometerMetrics implements Metrics {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** The built-in registry's buckets, so both exports have the same histograms. */
    private static final Duration[] BUCKETS = Arrays.stream(new double[] {0.0005, 0.001, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
            .toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Map<String, GaugeSeries> gauges = new ConcurrentHashMap<>();

    MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Counter counter(String name, String... labels) {
        io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter
                .builder(meterName(name, "_total")).tags(tags(labels)).register(registry);
        return new Counter() {
            @Override
            public void add(long amount) {
                if (amount < 0) {
                    throw Arguments.invalid("amount", amount, ">= 0");
                }
                counter.increment(amount);
            }

            @Override
            public long count() {
                return (long) counter.count();
            }
        };
    }

    @Override
    public Timer timer(String name, String... labels) {
        io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer
                .builder(meterName(name, "_seconds")).tags(tags(labels))
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        return new Timer() {
            @Override
            public void record(long nanos) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public long count() {
                return timer.count();
            }

            @Override
            public long totalNanos() {
                return (long) timer.totalTime(TimeUnit.NANOSECONDS);
            }
        };
    }

    /**
     * Micrometer keeps the first gauge of a name and tags, so the gauge reads a holder whose
     * supplier a later registration replaces; the meter goes when its current holder is removed.
     */
    @Override
    public Gauge gauge(String name, DoubleSupplier value, String... labels) {
        java.util.Objects.requireNonNull(value, "value");
        String meterName = meterName(name, "");
        Tags tags = tags(labels);
        String key = meterName + tags;
        GaugeSeries series = gauges.computeIfAbsent(key, k -> new GaugeSeries(meterName, tags));
        series.supplier.set(value);
        return new Gauge() {
            @Override
            public double value() {
                return value.getAsDouble();
            }

            @Override
            public void remove() {
                if (series.supplier.compareAndSet(value, null) && gauges.remove(key, series)) {
                    registry.remove(series.meter);
                }
            }
        };
    }

    private final class GaugeSeries {
        final AtomicReference<DoubleSupplier> supplier = new AtomicReference<>();
        final io.micrometer.core.instrument.Gauge meter;

        GaugeSeries(String name, Tags tags) {
            this.meter = io.micrometer.core.instrument.Gauge.builder(name, supplier, GaugeSeries::read).tags(tags)
                    .strongReference(true).register(registry);
        }

        private static double read(AtomicReference<DoubleSupplier> holder) {
            DoubleSupplier current = holder.get();
            if (current == null) {
                return Double.NaN;
            }
            try {
                return current.getAsDouble();
            } catch (RuntimeException e) {
                return Double.NaN; // a broken supplier must not break the scrape
            }
        }
    }

    /** {@code gatekit_plugin_duration_seconds} to {@code gatekit.plugin.duration}. */
    static String meterName(String name, String suffix) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw Arguments.invalid("name", "\"" + name + "\"", "a Prometheus metric name");
        }
        String base = !suffix.isEmpty() && name.endsWith(suffix) && name.length() > suffix.length()
                ? name.substring(0, name.length() - suffix.length()) : name;
        return base.replace('_', '.');
    }

    private static Tags tags(String[] labels) {
        if (labels.length % 2 != 0) {
            throw Arguments.invalid("labels", Arrays.toString(labels), "alternating names and values");
        }
        return Tags.of(labels);
    }
}
