package io.gatekit.benchmarks.e2e;

import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import io.gatekit.servlet.GatekitFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * P13's contenders: a plain servlet application on embedded Jetty 12 answering every GET with 1 KB,
 * alone or behind the Gatekit filter whose routes (from {@code --routes}, an apisix.yaml) match
 * none of the benchmark's requests.
 *
 * <pre>
 * java -cp benchmarks.jar io.gatekit.benchmarks.e2e.ServletAppMain --port 19083
 * java -cp benchmarks.jar io.gatekit.benchmarks.e2e.ServletAppMain --port 19084 --routes routes.yaml
 * </pre>
 */
public final class ServletAppMain {

    private ServletAppMain() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int port = args.number("port", 19083);
        String routes = args.text("routes", "");
        Engine engine = null;
        GatekitFilter gatekit = null;
        if (!routes.isEmpty()) {
            engine = Engine.builder().discoverPlugins().build();
            gatekit = GatekitFilter.builder(engine).config(StandaloneConfig.file(Path.of(routes))).build();
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        GatekitFilter filter = gatekit;
        context.addServletContainerInitializer((classes, servletContext) -> {
            if (filter != null) {
                filter.register(servletContext);
            }
            servletContext.addServlet("app", new Kilobyte()).addMapping("/");
        });
        server.setHandler(context);
        server.start();
        System.out.println("servlet app on 127.0.0.1:" + port + (filter != null ? " behind Gatekit (" + routes + ")" : ""));
        server.join();
    }

    /** 1 KB of {@code x}, as the e2e upstream answers. */
    static final class Kilobyte extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] BODY = new byte[1024];

        static {
            Arrays.fill(BODY, (byte) 'x');
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.setContentLength(BODY.length);
            response.getOutputStream().write(BODY);
        }
    }
}
