package io.gatekit.servlet;

import io.gatekit.testing.TempDirs;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * The filter declared by class name with an init parameter, as {@code web.xml} declares it, in
 * embedded Tomcat: it builds its own engine with the plugins on the class path and loads the
 * document the parameter names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeclaredFilterTest {

    private Path base;
    private Tomcat tomcat;
    private Connector connector;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("gatekit-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        // what web.xml's <filter> and <filter-mapping> say
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatekit");
        filter.setFilterClass(GatekitFilter.class.getName());
        filter.setAsyncSupported("true");
        filter.addInitParameter(GatekitFilter.CONFIG_PARAMETER, "classpath:gatekit-test/apisix.yaml");
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatekit");
        mapping.addURLPattern("/*");
        mapping.setDispatcher("REQUEST");
        mapping.setDispatcher("ASYNC");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "application", new ApplicationServlet());
        context.addServletMappingDecoded("/", "application");
        tomcat.start();
    }

    @AfterAll
    void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        TempDirs.delete(base);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + connector.getLocalPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDocumentTheInitParameterNamesRoutesRequestsThroughDiscoveredPlugins() throws Exception {
        HttpResponse<String> stamped = get("/stamped/page");
        HttpResponse<String> plain = get("/plain/page");

        assertEquals(200, stamped.statusCode());
        assertEquals("app GET /stamped/page", stamped.body());
        assertEquals("declared", stamped.headers().firstValue("x-stamp").orElse(null));
        assertEquals(200, plain.statusCode());
        assertTrue(plain.headers().firstValue("x-stamp").isEmpty());
    }

    @Test
    void anInvalidDocumentFailsInitWithApisixsMessage() {
        ServletException e = assertThrows(ServletException.class,
                () -> new GatekitFilter().init(config(Map.of(GatekitFilter.CONFIG_PARAMETER,
                        "classpath:gatekit-test/invalid.yaml"))));

        assertEquals("invalid configuration: property \"uri\" validation failed: wrong type: expected string,"
                + " got number", e.getMessage());
    }

    @Test
    void aMissingInitParameterFailsInitNamingIt() {
        ServletException e = assertThrows(ServletException.class, () -> new GatekitFilter().init(config(Map.of())));

        assertTrue(e.getMessage().startsWith("init parameter config: null (expected: "), e.getMessage());
    }

    /** The init parameters a container hands a filter; nothing else of the container is used by init. */
    private static FilterConfig config(Map<String, String> parameters) {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "gatekit";
            }

            @Override
            public ServletContext getServletContext() {
                throw new UnsupportedOperationException("not used by GatekitFilter.init");
            }

            @Override
            public String getInitParameter(String name) {
                return parameters.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(parameters.keySet());
            }
        };
    }
}
