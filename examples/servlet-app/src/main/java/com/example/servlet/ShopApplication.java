package com.example.servlet;

import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import io.gatekit.servlet.GatekitFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A small servlet application (a shop's catalog API and its home page) on embedded Jetty, with
 * Gatekit in front of it. The routes live in an {@code apisix.yaml} the filter follows: routes
 * without an upstream run their plugins around these servlets, routes with one are proxied, and
 * everything else reaches the servlets untouched.
 *
 * <pre>{@code
 * ShopApplication shop = ShopApplication.start(new InetSocketAddress("127.0.0.1", 8080),
 *         StandaloneConfig.file(Path.of("conf/apisix.yaml")));
 * }</pre>
 */
public final class ShopApplication implements AutoCloseable {

    private final Server server;
    private final Engine engine;
    private final GatekitFilter gatekit;
    private final InetSocketAddress address;

    private ShopApplication(Server server, Engine engine, GatekitFilter gatekit, InetSocketAddress address) {
        this.server = server;
        this.engine = engine;
        this.gatekit = gatekit;
        this.address = address;
    }

    /**
     * Starts the shop on {@code address} (port 0: any free port) with Gatekit's routes from
     * {@code routes}.
     *
     * @throws io.gatekit.engine.ConfigException when a route is invalid: the shop does not start
     */
    public static ShopApplication start(InetSocketAddress address, StandaloneConfig routes) throws Exception {
        // The Gatekit part: an engine with the plugins on the class path, the routes, the filter.
        Engine engine = Engine.builder().discoverPlugins().build();
        GatekitFilter gatekit;
        try {
            gatekit = GatekitFilter.builder(engine).config(routes).build();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer((classes, servletContext) -> {
            gatekit.register(servletContext); // the one line the servlet setup gains
            servletContext.addServlet("catalog", new CatalogServlet()).addMapping("/api/*");
            servletContext.addServlet("home", new HomeServlet()).addMapping("/");
        });
        server.setHandler(context);
        server.start();
        return new ShopApplication(server, engine, gatekit,
                new InetSocketAddress(address.getHostString(), connector.getLocalPort()));
    }

    /** Where the shop listens. */
    public InetSocketAddress address() {
        return address;
    }

    /** The filter in front of the shop (its engine, its last refused config change). */
    public GatekitFilter gatekit() {
        return gatekit;
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop(); // destroys the filter, which stops following the routes file
        } finally {
            engine.close();
        }
    }

    /** The catalog API: {@code GET /api/products/{id}} answers the product as JSON. */
    static final class CatalogServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String path = request.getPathInfo() == null ? "" : request.getPathInfo();
            if (!path.startsWith("/products/")) {
                response.sendError(404, "no such resource: " + path);
                return;
            }
            String id = path.substring("/products/".length());
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().print("{\"id\": \"" + id.replace("\"", "") + "\", \"name\": \"product " + id.replace("\"", "")
                    + "\", \"request_id\": \"" + request.getHeader("X-Request-Id") + "\"}");
        }
    }

    /** The home page. */
    static final class HomeServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().print("welcome to the shop");
        }
    }
}
