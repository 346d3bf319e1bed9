package io.gatekit.gateway.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.opentelemetry.GatekitTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * APISIX's {@code opentelemetry} plugin in the gateway, exporting its spans as OTLP over HTTP
 * (protobuf) to the collector {@code plugin_attr.opentelemetry} names, with APISIX's keys and
 * defaults:
 *
 * <pre>{@code
 * plugin_attr:
 *   opentelemetry:
 *     resource:
 *       service.name: APISIX            # APISIX's default; hostname is added as APISIX does
 *     collector:
 *       address: 127.0.0.1:4318         # host:port, or http(s)://host:port; spans go to /v1/traces
 *       request_timeout: 3              # seconds per export
 *       request_headers:
 *         Authorization: token
 *     batch_span_processor:
 *       drop_on_queue_full: false
 *       max_queue_size: 1024
 *       batch_timeout: 2                # seconds
 *       inactive_timeout: 1             # seconds
 *       max_export_batch_size: 16
 * }</pre>
 *
 * <p>Exports run on the SDK's own thread: a slow or dead collector costs no request anything, its
 * spans are dropped once the queue is full. The SDK exports on one timer, so a span waits at most
 * the shorter of {@code batch_timeout} and {@code inactive_timeout}, or less when
 * {@code max_export_batch_size} spans are waiting; with a full queue it drops new spans whatever
 * {@code drop_on_queue_full} says. {@code trace_id_source: x-request-id} and
 * {@code set_ngx_var: true} are refused: the SDK makes the trace ids, and there are no nginx
 * variables. APISIX 3.12 moved these keys to {@code plugin_metadata}; the gateway reads them from
 * {@code plugin_attr}, as APISIX did before.
 */
public final class GatewayTracing implements AutoCloseable {

    /** The plugin's name. */
    public static final String PLUGIN = "opentelemetry";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("trace_id_source", "resource", "collector", "batch_span_processor",
            "set_ngx_var");
    private static final Set<String> COLLECTOR_KEYS = Set.of("address", "request_timeout", "request_headers");
    private static final Set<String> BATCH_KEYS = Set.of("drop_on_queue_full", "max_queue_size", "batch_timeout",
            "inactive_timeout", "max_export_batch_size");

    private final SdkTracerProvider provider;
    private final GatekitTracing tracing;

    private GatewayTracing(SdkTracerProvider provider) {
        this.provider = provider;
        // traces only: the SDK's metrics and logs stay out of the gateway's jar
        ContextPropagators propagators = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        this.tracing = GatekitTracing.builder(new OpenTelemetry() {
            @Override
            public TracerProvider getTracerProvider() {
                return provider;
            }

            @Override
            public ContextPropagators getPropagators() {
                return propagators;
            }
        }).build();
    }

    /**
     * Sets up the exporter from {@code plugin_attr.opentelemetry} ({@code null}: APISIX's defaults).
     *
     * @throws IllegalArgumentException naming the key whose value is wrong
     */
    public static GatewayTracing create(@Nullable String attributesJson) {
        JsonNode attrs;
        try {
            attrs = attributesJson == null ? JSON.createObjectNode() : JSON.readTree(attributesJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("plugin_attr.opentelemetry: not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!attrs.isObject()) {
            throw new IllegalArgumentException("plugin_attr.opentelemetry: " + attrs + " (expected: a mapping)");
        }
        checkKeys(attrs, KEYS, "plugin_attr.opentelemetry");
        String idSource = text(attrs.path("trace_id_source"), "plugin_attr.opentelemetry.trace_id_source", "random");
        if (!idSource.equals("random")) {
            throw new IllegalArgumentException("plugin_attr.opentelemetry.trace_id_source: " + idSource
                    + " (expected: random; the OpenTelemetry SDK makes the trace ids, x-request-id is not supported)");
        }
        if (bool(attrs.path("set_ngx_var"), "plugin_attr.opentelemetry.set_ngx_var", false)) {
            throw new IllegalArgumentException("plugin_attr.opentelemetry.set_ngx_var: true (expected: false; the"
                    + " gateway has no nginx variables)");
        }
        OtlpHttpSpanExporter exporter = exporter(attrs.path("collector"));
        BatchSpanProcessor processor = processor(attrs.path("batch_span_processor"), exporter);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(resource(attrs.path("resource")))))
                // Gatekit samples per route (the plugin's sampler) before any span is made
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(processor)
                .build();
        return new GatewayTracing(provider);
    }

    /** The {@code opentelemetry} plugin, to register with the engine. */
    public PluginFactory<?> plugin() {
        return tracing.plugin();
    }

    private static OtlpHttpSpanExporter exporter(JsonNode collector) {
        String where = "plugin_attr.opentelemetry.collector";
        if (!collector.isMissingNode() && !collector.isObject()) {
            throw new IllegalArgumentException(where + ": " + collector + " (expected: a mapping)");
        }
        checkKeys(collector, COLLECTOR_KEYS, where);
        String address = text(collector.path("address"), where + ".address", "127.0.0.1:4318");
        OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder().setEndpoint(endpoint(address))
                .setTimeout(Duration.ofMillis(millis(collector.path("request_timeout"), where + ".request_timeout", 3)));
        JsonNode headers = collector.path("request_headers");
        if (!headers.isMissingNode() && !headers.isNull()) {
            if (!headers.isObject()) {
                throw new IllegalArgumentException(where + ".request_headers: " + headers
                        + " (expected: a mapping of header names to values)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> header = it.next();
                if (!header.getValue().isValueNode() || header.getValue().isNull()) {
                    throw new IllegalArgumentException(where + ".request_headers." + header.getKey() + ": "
                            + header.getValue() + " (expected: a string, number or boolean)");
                }
                builder.addHeader(header.getKey(), header.getValue().asText());
            }
        }
        return builder.build();
    }

    /** {@code host:port} (as APISIX) or an http(s) URL, to the OTLP/HTTP traces endpoint. */
    static String endpoint(String address) {
        String url = address.startsWith("http://") || address.startsWith("https://") ? address : "http://" + address;
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException("plugin_attr.opentelemetry.collector.address: " + address
                    + " (expected: host:port such as 127.0.0.1:4318, or http(s)://host:port)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")
                ? "/v1/traces" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getRawAuthority() + path;
    }

    private static BatchSpanProcessor processor(JsonNode batch, OtlpHttpSpanExporter exporter) {
        String where = "plugin_attr.opentelemetry.batch_span_processor";
        if (!batch.isMissingNode() && !batch.isObject()) {
            throw new IllegalArgumentException(where + ": " + batch + " (expected: a mapping)");
        }
        checkKeys(batch, BATCH_KEYS, where);
        bool(batch.path("drop_on_queue_full"), where + ".drop_on_queue_full", false);
        long delay = Math.min(millis(batch.path("batch_timeout"), where + ".batch_timeout", 2),
                millis(batch.path("inactive_timeout"), where + ".inactive_timeout", 1));
        int queue = positive(batch.path("max_queue_size"), where + ".max_queue_size", 1024);
        int size = positive(batch.path("max_export_batch_size"), where + ".max_export_batch_size", 16);
        if (size > queue) {
            throw new IllegalArgumentException(where + ".max_export_batch_size: " + size
                    + " (expected: at most max_queue_size, " + queue + ")");
        }
        return BatchSpanProcessor.builder(exporter).setScheduleDelay(delay, TimeUnit.MILLISECONDS)
                .setMaxQueueSize(queue).setMaxExportBatchSize(size).build();
    }

    /** APISIX's resource: {@code hostname}, {@code service.name} (APISIX unless set), then the user's. */
    private static Attributes resource(JsonNode resource) {
        String where = "plugin_attr.opentelemetry.resource";
        AttributesBuilder attributes = Attributes.builder().put("hostname", hostname());
        if (resource.isMissingNode() || resource.isNull()) {
            return attributes.put("service.name", "APISIX").build();
        }
        if (!resource.isObject()) {
            throw new IllegalArgumentException(where + ": " + resource + " (expected: a mapping)");
        }
        if (!resource.has("service.name")) {
            attributes.put("service.name", "APISIX");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (value.isTextual()) {
                attributes.put(entry.getKey(), value.asText());
            } else if (value.isBoolean()) {
                attributes.put(entry.getKey(), value.asBoolean());
            } else if (value.isNumber()) {
                attributes.put(entry.getKey(), value.asDouble());
            } else {
                throw new IllegalArgumentException(where + "." + entry.getKey() + ": " + value
                        + " (expected: a string, number or boolean)");
            }
        }
        return attributes.build();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void checkKeys(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(where + "." + name + ": unknown key (expected: one of "
                        + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, String fallback) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: a string)");
        }
        return node.asText();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: true or false)");
        }
        return node.asBoolean();
    }

    private static long millis(JsonNode node, String key, double fallbackSeconds) {
        if (node.isMissingNode() || node.isNull()) {
            return Math.round(fallbackSeconds * 1000);
        }
        if (!node.isNumber() || node.asDouble() <= 0) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: seconds > 0)");
        }
        return Math.max(1, Math.round(node.asDouble() * 1000));
    }

    private static int positive(JsonNode node, String key, int fallback) {
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: an integer >= 1)");
        }
        return node.asInt();
    }

    /** Exports what is queued (waiting up to the request timeout) and stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
