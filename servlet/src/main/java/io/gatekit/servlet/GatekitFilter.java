package io.gatekit.servlet;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gatekit in front of a servlet application: a request whose route has an upstream is proxied
 * there; a request whose route has none runs the route's plugins around the application (the rest
 * of the filter chain): {@code rewrite} and {@code access}, then the application, then
 * {@code header_filter}, {@code body_filter} as its body streams, and {@code log}. A request no
 * route matches goes to the application untouched, at the cost of one router lookup on its path.
 *
 * <pre>{@code
 * Engine engine = Engine.builder().discoverPlugins().build();
 * GatekitFilter.builder(engine)
 *         .config(StandaloneConfig.file(Path.of("conf/apisix.yaml")))   // optional: routes from a file
 *         .build()
 *         .register(servletContext);                                     // async, REQUEST and ASYNC, /*
 * }</pre>
 *
 * <p>Matched requests are served asynchronously: no container thread waits for a plugin or the
 * upstream, and bodies stream both ways with the servlet's non-blocking I/O. So the filter must be
 * registered with {@code asyncSupported} (as must every filter before it) and for the
 * {@code REQUEST} and {@code ASYNC} dispatcher types: {@link #register} does both. The application
 * behind a route with plugins answers synchronously (it may not start async processing itself);
 * what it writes streams to the client through the plugins.
 *
 * <p>In {@code web.xml}, declare the class with {@code <async-supported>true</async-supported>},
 * both dispatcher types, and the init parameter {@value #CONFIG_PARAMETER}: the standalone
 * document's file, or {@code classpath:} and a resource. The filter then builds its own engine
 * with the plugins on the class path, and closes it when destroyed.
 *
 * <p>Proxying uses {@link JdkTransport} unless {@link Builder#transport} says otherwise; for
 * {@code pass_host} to reach the upstream, run the JVM with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}.
 */
public final class GatekitFilter implements Filter {

    /** The init parameter naming the standalone document: a file, or {@code classpath:} and a resource. */
    public static final String CONFIG_PARAMETER = "config";

    /** The name {@link #register} gives the filter. */
    public static final String NAME = "gatekit";

    private static final CompletionStage<Response> UNUSED = CompletableFuture.completedStage(null);
    private static final Application NOT_MATCHED = (request, body) -> UNUSED;

    private @Nullable Engine engine;
    private @Nullable Transport transport;
    private @Nullable ConfigSource config;
    private boolean ownsEngine;

    /**
     * A filter a container creates from its class name ({@code web.xml}), configured in
     * {@link #init} by the init parameter {@value #CONFIG_PARAMETER}. In code, use
     * {@link #builder(Engine)}.
     */
    public GatekitFilter() {
    }

    private GatekitFilter(Engine engine, Transport transport, @Nullable ConfigSource config) {
        this.engine = engine;
        this.transport = transport;
        this.config = config;
    }

    /** A builder for a filter serving {@code engine}'s routes; the engine stays the caller's to close. */
    public static Builder builder(Engine engine) {
        return new Builder(requireNonNull(engine, "engine"));
    }

    /**
     * Adds this filter to {@code context} as {@value #NAME}, async-supported, for the
     * {@code REQUEST} and {@code ASYNC} dispatches of every path, ahead of the filters
     * {@code web.xml} declares. Call it while the context starts (a
     * {@code ServletContextListener}, a {@code ServletContainerInitializer}).
     *
     * @return the registration, to add init parameters or narrow the mapping
     * @throws IllegalStateException when the context has a filter of that name already
     */
    public FilterRegistration.Dynamic register(ServletContext context) {
        requireNonNull(context, "context");
        FilterRegistration.Dynamic registration = context.addFilter(NAME, this);
        if (registration == null) {
            throw new IllegalStateException("filter name: " + NAME
                    + " (expected: no other filter of that name in the servlet context)");
        }
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
        return registration;
    }

    /**
     * For a filter created from its class name: builds the engine (plugins found on the class
     * path) and loads the document the init parameter {@value #CONFIG_PARAMETER} names.
     *
     * @throws ServletException with APISIX's {@code error_msg} when the document is invalid, or
     *         saying why it cannot be read; the container then fails to start the application
     */
    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        if (engine != null) {
            return; // built in code
        }
        String location = filterConfig.getInitParameter(CONFIG_PARAMETER);
        if (location == null || location.isBlank()) {
            throw new ServletException("init parameter " + CONFIG_PARAMETER + ": " + location
                    + " (expected: the standalone config document, a file or classpath:<resource>)");
        }
        StandaloneConfig document = location.startsWith("classpath:")
                ? StandaloneConfig.classpath(location.substring("classpath:".length()))
                : StandaloneConfig.file(Path.of(location));
        Engine built = Engine.builder().discoverPlugins().build();
        try {
            document.start(built);
        } catch (ConfigException | IllegalArgumentException e) {
            built.close();
            throw new ServletException(e.getMessage(), e);
        }
        engine = built;
        config = document;
        ownsEngine = true;
        transport = JdkTransport.create();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            chain.doFilter(request, response);
            return;
        }
        Engine routes = engine;
        if (routes == null) {
            throw new ServletException("gatekit: the filter was not initialized (expected: init() before doFilter())");
        }
        DispatcherType type = http.getDispatcherType();
        if (type != DispatcherType.REQUEST) {
            if (type == DispatcherType.ASYNC && http.getAttribute(ServletExchange.ATTRIBUTE) instanceof ServletExchange exchange
                    && exchange.awaitsDispatch()) {
                exchange.resume(http, httpResponse, chain);
                return;
            }
            chain.doFilter(request, response); // forwards, includes, error pages: the request was seen already
            return;
        }
        String path = http.getRequestURI();
        if (path == null || !path.startsWith("/") || !routes.mayMatch(path)) {
            chain.doFilter(request, response);
            return;
        }
        HttpRequest engineRequest = ServletRequests.toEngine(http);
        Call call = routes.newCall(engineRequest);
        if (!call.matched()) {
            call.serve(Body.empty(), transport, NOT_MATCHED); // releases the call: no plugin runs, nothing is read
            chain.doFilter(request, response);
            return;
        }
        if (!http.isAsyncSupported()) {
            call.complete();
            throw new ServletException("gatekit: this request cannot be served asynchronously (expected: the Gatekit"
                    + " filter, every filter before it and the servlet registered with asyncSupported=true; see"
                    + " GatekitFilter.register)");
        }
        new ServletExchange(http, httpResponse, call, transport).start(chain);
    }

    /** Stops following the config document and closes the engine, when the filter owns them. */
    @Override
    public void destroy() {
        if (config != null) {
            config.close();
        }
        if (ownsEngine && engine != null) {
            engine.close();
        }
    }

    /** The engine whose routes this filter serves. */
    public Engine engine() {
        Engine routes = engine;
        if (routes == null) {
            throw new IllegalStateException("gatekit: the filter was not initialized (expected: init() first)");
        }
        return routes;
    }

    /**
     * The config document's last refused change, when the filter follows one ({@link Builder#config}
     * with a {@link StandaloneConfig}, or the init parameter); empty otherwise, and once a later
     * change applied. The refusal is logged too; the config before it stays in force.
     */
    public java.util.Optional<ConfigException> lastConfigRejection() {
        return config instanceof StandaloneConfig document ? document.lastRejection() : java.util.Optional.empty();
    }

    /** Configures a {@link GatekitFilter}. */
    public static final class Builder {
        private final Engine engine;
        private @Nullable Transport transport;
        private @Nullable ConfigSource config;

        private Builder(Engine engine) {
            this.engine = engine;
        }

        /** How routes with an upstream reach it. Default: {@link JdkTransport#create()}. */
        public Builder transport(Transport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Where the engine's config comes from, loaded into it by {@link #build()} and closed with the
         * filter: {@code StandaloneConfig.file(path)} follows an {@code apisix.yaml} as it changes.
         * Default: none, the caller configures the engine.
         */
        public Builder config(ConfigSource config) {
            this.config = requireNonNull(config, "config");
            return this;
        }

        /**
         * Builds the filter, loading the config first when one is set.
         *
         * @throws ConfigException          with APISIX's {@code error_msg} when the config is invalid
         * @throws IllegalArgumentException when the config document cannot be read
         */
        public GatekitFilter build() {
            if (config != null) {
                config.start(engine);
            }
            return new GatekitFilter(engine, transport != null ? transport : JdkTransport.create(), config);
        }
    }
}
