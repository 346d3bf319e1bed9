package io.gatekit.opentelemetry;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.CallObserver;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Locale;

/**
 * OpenTelemetry tracing for a Gatekit engine, on the OpenTelemetry API: a {@code SERVER} span per
 * call, a span per plugin phase named as APISIX names them
 * ({@code apisix.phase.<phase>.plugins.<name>}), a {@code CLIENT} span per upstream attempt and
 * per request a plugin sends on the call's behalf (each mirror copy), and the call's context in
 * the propagators' headers (W3C {@code traceparent}) to the upstream, to each such request and to
 * the runner. Every host gets this, the gateway and any {@code Engine.serve} host alike.
 *
 * <p>Two ways to turn it on. Trace every call, sampled by {@link Builder#sampler}:
 * <pre>{@code
 * GatekitTracing tracing = GatekitTracing.builder(openTelemetry).build();
 * Engine engine = Engine.builder().discoverPlugins().listener(tracing.listener()).build();
 * }</pre>
 * or trace the calls of the routes that configure APISIX's {@code opentelemetry} plugin, each with
 * its own sampler (what the gateway does):
 * <pre>{@code
 * Engine engine = Engine.builder().discoverPlugins().plugin(tracing.plugin()).build();
 * }</pre>
 *
 * <p>An unsampled call costs a sampling decision: no span, no id. Its caller's {@code traceparent}
 * goes on to the upstream untouched; a call that starts a trace and is not sampled sends one with
 * a fresh trace id and the sampled flag off, made only when a message leaves, so the services
 * behind keep the decision.
 *
 * <p>Plugin code that makes spans of its own parents them to the call with
 * {@link #context(Exchange)}; while a traced plugin's phase method runs, its span is also the
 * current context of the thread.
 */
public final class GatekitTracing {

    /** The instrumentation scope of the spans. */
    public static final String SCOPE = "io.gatekit";

    static final AttributeKey<CallTrace> TRACE = AttributeKey.of("gatekit-opentelemetry trace", CallTrace.class);
    static final AttributeKey<String> UNSAMPLED = AttributeKey.of("gatekit-opentelemetry unsampled traceparent",
            String.class);

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final TraceSampler sampler;
    private final boolean tracePlugins;
    private final List<String> fields;
    /** Whether the propagator reads W3C's traceparent, whose sampled flag can be read in place. */
    private final boolean w3c;

    private GatekitTracing(Builder builder) {
        this.tracer = builder.openTelemetry.getTracer(SCOPE);
        this.propagator = builder.openTelemetry.getPropagators().getTextMapPropagator();
        this.sampler = builder.sampler;
        this.tracePlugins = builder.tracePlugins;
        this.fields = propagator.fields().stream().map(f -> f.toLowerCase(Locale.ROOT)).toList();
        this.w3c = fields.contains("traceparent");
    }

    /**
     * A builder of tracing over {@code openTelemetry}: its tracer and its propagators (W3C trace
     * context for the default SDK).
     *
     * @param openTelemetry the application's OpenTelemetry
     * @return a new builder
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(requireNonNull(openTelemetry, "openTelemetry"));
    }

    /**
     * The listener that traces every call, sampled by {@link Builder#sampler}. It times no plugin
     * itself, so it keeps the engine's fast path for unsampled calls.
     *
     * @return the listener to give {@code Engine.Builder.listener}
     */
    public EngineListener listener() {
        return new EngineListener() {
            @Override
            public boolean timesPlugins() {
                return false;
            }

            @Override
            public @Nullable CallObserver callStarted(Exchange exchange) {
                return start(exchange, sampler, List.of(), List.of());
            }
        };
    }

    /**
     * APISIX's {@code opentelemetry} plugin over this tracing: the calls of the routes (and global
     * rules) that configure it are traced, sampled by its {@code sampler}, with its
     * {@code additional_attributes} and {@code additional_header_prefix_attributes}. Register it in
     * code ({@code Engine.Builder.plugin}); it is not found by {@link java.util.ServiceLoader},
     * since it needs this tracing.
     *
     * @return the plugin's factory
     */
    public PluginFactory<?> plugin() {
        return new OpenTelemetryPluginFactory(this);
    }

    /**
     * The context of the call's current span: the running plugin's, or the call's; the root
     * context when the call is not traced. Parent a span of your own to it:
     * {@code tracer.spanBuilder("lookup").setParent(GatekitTracing.context(exchange)).startSpan()}.
     *
     * @param exchange the call
     * @return its current context
     */
    public static Context context(Exchange exchange) {
        CallTrace trace = exchange.attr(TRACE);
        return trace == null ? Context.root() : trace.currentContext();
    }

    /**
     * Starts tracing {@code exchange} if {@code sampler} says so: its observer, the shared one
     * that only passes the decision on, or {@code null} when the caller's context goes on as it is.
     */
    @Nullable CallObserver start(Exchange exchange, TraceSampler sampler, List<String> attributes,
            List<String> headerPrefixes) {
        if (exchange.attr(TRACE) != null) {
            return null; // traced already: by the listener and the plugin, say
        }
        if (w3c && sampler.followsParent()
                && Traceparents.unsampled(exchange.request().headers().get("traceparent"))) {
            return null; // the caller decided: its context goes on untouched, nothing to parse or make
        }
        Context parent = propagator.extract(Context.root(), exchange.request().headers(), HEADERS);
        SpanContext remote = Span.fromContext(parent).getSpanContext();
        if (!sampler.sample(remote)) {
            return remote.isValid() ? null : UnsampledRoot.INSTANCE;
        }
        CallTrace trace = new CallTrace(this, exchange, parent, attributes, headerPrefixes);
        exchange.attr(TRACE, trace);
        return trace;
    }

    Tracer tracer() {
        return tracer;
    }

    TextMapPropagator propagator() {
        return propagator;
    }

    boolean tracePlugins() {
        return tracePlugins;
    }

    /** The header names the propagator writes, lower case. */
    List<String> fields() {
        return fields;
    }

    /** Reads the propagator's headers from a request's headers. */
    static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            return carrier.names();
        }

        @Override
        public @Nullable String get(@Nullable HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** Configures {@link GatekitTracing}. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private TraceSampler sampler = TraceSampler.parentBased(TraceSampler.alwaysOn());
        private boolean tracePlugins = true;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * Which calls {@link #listener()} traces. Default: the caller's decision, and every call
         * that starts a trace ({@code parent_base} over {@code always_on}); the SDK's sampler
         * then has the last word.
         *
         * @param sampler the sampler
         * @return this builder
         */
        public Builder sampler(TraceSampler sampler) {
            this.sampler = requireNonNull(sampler, "sampler");
            return this;
        }

        /**
         * Whether a traced call gets a span per plugin phase. Default: true. Without them a traced
         * call costs its server span and its client spans only.
         *
         * @param trace true for a span per plugin phase
         * @return this builder
         */
        public Builder tracePlugins(boolean trace) {
            this.tracePlugins = trace;
            return this;
        }

        /** {@return the tracing} */
        public GatekitTracing build() {
            return new GatekitTracing(this);
        }
    }
}
