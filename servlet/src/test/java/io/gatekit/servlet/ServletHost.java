package io.gatekit.servlet;

import io.gatekit.testing.TempDirs;
import jakarta.servlet.ServletContainerInitializer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real servlet container on 127.0.0.1 and an ephemeral port: embedded Jetty 12 (ee10) or
 * Tomcat 10.1, its one context at the root set up by {@code setup} as a web application's
 * initializer would (filters and servlets added to the {@code ServletContext}).
 */
interface ServletHost extends AutoCloseable {

    InetSocketAddress address();

    @Override
    void close() throws Exception;

    /** The containers the tests run in, by name. */
    enum Kind {
        JETTY, TOMCAT;

        ServletHost start(ServletContainerInitializer setup, int maxThreads) throws Exception {
            return this == JETTY ? jetty(setup, maxThreads) : tomcat(setup, maxThreads);
        }
    }

    static ServletHost jetty(ServletContainerInitializer setup, int maxThreads) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(4, maxThreads));
        threads.setName("jetty");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer(setup);
        server.setHandler(context);
        server.start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", connector.getLocalPort());
        return new ServletHost() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public void close() throws Exception {
                server.stop();
            }
        };
    }

    static ServletHost tomcat(ServletContainerInitializer setup, int maxThreads) throws Exception {
        Path base = Files.createTempDirectory("gatekit-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(maxThreads));
        connector.setProperty("minSpareThreads", Integer.toString(Math.min(4, maxThreads)));
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        context.addServletContainerInitializer(setup, null);
        tomcat.start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", connector.getLocalPort());
        return new ServletHost() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public void close() throws Exception {
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } finally {
                    delete(base);
                }
            }
        };
    }

    private static void delete(Path dir) throws IOException {
        TempDirs.delete(dir);
    }
}
