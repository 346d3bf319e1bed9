package io.gatekit.opentelemetry;

import io.gatekit.api.CallObserver;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.UpstreamTarget;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * One traced call: its server span, the span of the plugin phase running now, and a client span
 * per message sent on its behalf. The engine tells it one event at a time, in order, though not
 * always on one thread (an async plugin's phase ends on the thread that completed it), so the
 * current span lives here, never in a thread-local between events.
 *
 * <p>Attributes follow APISIX's {@code opentelemetry} plugin on the server span (old and new HTTP
 * semantic conventions, {@code apisix.route_id}, {@code apisix.response_source}, an error status
 * from 500 on) and OpenTelemetry's HTTP client conventions on the client spans.
 */
final class CallTrace implements CallObserver {

    private static final AttributeKey<String> ROUTE_ID = AttributeKey.stringKey("apisix.route_id");
    private static final AttributeKey<String> RESPONSE_SOURCE = AttributeKey.stringKey("apisix.response_source");
    private static final AttributeKey<String> PLUGIN = AttributeKey.stringKey("apisix.plugin");
    private static final AttributeKey<String> PEER = AttributeKey.stringKey("gatekit.peer");

    private final GatekitTracing tracing;
    private final List<String> attributes;
    private final List<String> headerPrefixes;
    private final Span server;
    private final Context serverContext;
    private @Nullable Span plugin;
    private @Nullable Context pluginContext;

    CallTrace(GatekitTracing tracing, Exchange exchange, Context parent, List<String> attributes,
            List<String> headerPrefixes) {
        this.tracing = tracing;
        this.attributes = attributes;
        this.headerPrefixes = headerPrefixes;
        HttpRequest request = exchange.request();
        String method = request.method();
        var span = tracing.tracer().spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute("net.host.name", nonNull(request.host()))
                .setAttribute("http.method", method)
                .setAttribute("http.scheme", request.scheme())
                .setAttribute("http.target", nonNull(exchange.var("request_uri")))
                .setAttribute("http.request.method", method)
                .setAttribute("url.scheme", request.scheme())
                .setAttribute("url.path", nonNull(exchange.var("uri")));
        String userAgent = request.headers().get("user-agent");
        if (userAgent != null) {
            span.setAttribute("http.user_agent", userAgent).setAttribute("user_agent.original", userAgent);
        }
        String routeId = exchange.routeId();
        if (routeId != null) {
            span.setAttribute(ROUTE_ID, routeId);
        }
        this.server = span.startSpan();
        this.serverContext = parent.with(server);
    }

    private static String nonNull(@Nullable String value) {
        return value == null ? "" : value;
    }

    /** The running plugin's context, or the call's. */
    Context currentContext() {
        Context current = pluginContext;
        return current != null ? current : serverContext;
    }

    @Override
    public boolean followsPlugins() {
        return tracing.tracePlugins();
    }

    @Override
    public @Nullable Runnable pluginStarted(Exchange exchange, String name, Phase phase) {
        Span span = tracing.tracer().spanBuilder("apisix.phase." + phase.apisixName() + ".plugins." + name)
                .setParent(serverContext).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(PLUGIN, name)
                .startSpan();
        Context context = serverContext.with(span);
        plugin = span;
        pluginContext = context;
        // current on this thread while the method runs, for libraries that read Context.current()
        Scope scope = context.makeCurrent();
        return scope::close;
    }

    @Override
    public void pluginEnded(Exchange exchange, String name, Phase phase, @Nullable Throwable error) {
        Span span = plugin;
        if (span == null) {
            return;
        }
        plugin = null;
        pluginContext = null;
        if (error != null) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, name + " failed in " + phase.apisixName() + ": " + error);
        }
        span.end();
    }

    @Override
    public Outbound upstreamStarted(Exchange exchange, int attempt, BiConsumer<String, String> headers) {
        HttpRequest request = exchange.request();
        UpstreamTarget target = exchange.upstream();
        String host = nonNull(target.nodeHost());
        var builder = tracing.tracer().spanBuilder(request.method()).setParent(serverContext)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", request.method())
                .setAttribute("server.address", host)
                .setAttribute("server.port", target.nodePort())
                .setAttribute("url.full", target.scheme() + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                        + ":" + target.nodePort() + request.uri())
                .setAttribute(PEER, "upstream");
        if (attempt > 1) {
            builder.setAttribute("http.request.resend_count", attempt - 1);
        }
        return client(builder.startSpan(), headers);
    }

    @Override
    public Outbound requestStarted(Exchange exchange, String name, OutboundRequest request,
            BiConsumer<String, String> headers) {
        Span span = tracing.tracer().spanBuilder(request.method()).setParent(currentContext())
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", request.method())
                .setAttribute("server.address", nonNull(request.uri().getHost()))
                .setAttribute("server.port", port(request))
                .setAttribute("url.full", request.uri().toString())
                .setAttribute(PEER, name)
                .startSpan();
        return client(span, headers);
    }

    private static long port(OutboundRequest request) {
        int port = request.uri().getPort();
        return port >= 0 ? port : "https".equalsIgnoreCase(request.uri().getScheme()) ? 443 : 80;
    }

    /** Injects {@code span}'s context into {@code headers}; what ends it with the message. */
    private Outbound client(Span span, BiConsumer<String, String> headers) {
        tracing.propagator().inject(serverContext.with(span), headers, BiConsumer::accept);
        return (status, error) -> {
            if (status > 0) {
                span.setAttribute("http.response.status_code", status);
            }
            if (error != null) {
                span.recordException(error);
                span.setAttribute("error.type", error.getClass().getName());
                span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            } else if (status >= 400) {
                span.setAttribute("error.type", Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        };
    }

    @Override
    public void contextHeaders(Exchange exchange, BiConsumer<String, String> headers) {
        tracing.propagator().inject(currentContext(), headers, BiConsumer::accept);
    }

    @Override
    public void callCompleted(Exchange exchange) {
        if (plugin != null) {
            pluginEnded(exchange, "?", exchange.phase(), null);
        }
        HttpResponse response = exchange.response();
        int status = response == null ? 0 : response.status();
        // as APISIX's core.response.get_response_source: who produced what the client got
        String source = exchange.upstream().status() > 0 && exchange.upstream().status() == status ? "upstream"
                : "apisix";
        server.setAttribute(RESPONSE_SOURCE, source);
        if (status > 0) {
            server.setAttribute("http.status_code", status);
            server.setAttribute("http.response.status_code", status);
        }
        if (status >= 500) {
            server.setStatus(StatusCode.ERROR, source + " error: " + status);
        }
        for (String name : attributes) {
            String value = exchange.var(name);
            if (value != null) {
                server.setAttribute(name, value);
            }
        }
        if (!headerPrefixes.isEmpty()) {
            addHeaders(exchange.request().headers());
        }
        server.end();
    }

    /**
     * APISIX's {@code additional_header_prefix_attributes}: a name ending in {@code *} takes every
     * header it prefixes, any other name its header; values of a repeated header are joined.
     */
    private void addHeaders(HttpHeaders headers) {
        for (String wanted : headerPrefixes) {
            String key = wanted.toLowerCase(Locale.ROOT);
            boolean prefix = key.length() >= 2 && key.endsWith("*");
            if (!prefix) {
                List<String> values = headers.all(key);
                if (!values.isEmpty()) {
                    server.setAttribute(wanted, String.join(", ", values));
                }
                continue;
            }
            String start = key.substring(0, key.length() - 1);
            for (String name : headers.names()) {
                if (name.toLowerCase(Locale.ROOT).startsWith(start)) {
                    server.setAttribute(name.toLowerCase(Locale.ROOT), String.join(", ", headers.all(name)));
                }
            }
        }
    }
}
