package com.example.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine, the API and the header-stamp plugin on the module path, the host on the class path:
 * a separate JVM serves a route through the plugin, which the engine can only have found through
 * the plugin module's {@code provides} clause (a named module's {@code META-INF/services} is
 * ignored), bound in because gatekit-api {@code uses} PluginFactory.
 */
class ModulePathIT {

    private static final Pattern LISTENING = Pattern.compile("serving 1 route\\(s\\) on [^:]*:(\\d+) with plugins (.*)");

    private final List<Path> modulePath = Arrays.stream(read(System.getProperty("gatekit.host.dependencies"))
            .strip().split(File.pathSeparator)).map(Path::of).toList();
    private HttpServer upstream;
    private Process host;

    @AfterEach
    void stop() throws InterruptedException {
        if (host != null) {
            host.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void theJarsAreModulesANamedPluginAndAutomaticEngine() {
        ModuleDescriptor plugin = module("com.example.stamp");
        assertFalse(plugin.isAutomatic(), "the plugin jar has a module-info");
        assertTrue(plugin.provides().stream().anyMatch(p -> p.service().equals("io.gatekit.api.PluginFactory")
                && p.providers().equals(List.of("com.example.stamp.HeaderStampFactory"))), plugin.toString());

        ModuleDescriptor api = module("io.gatekit.api");
        assertFalse(api.isAutomatic(), "gatekit-api has a module-info");
        assertTrue(api.uses().contains("io.gatekit.api.PluginFactory"), api.toString());
        assertEquals(List.of("io.gatekit.api", "io.gatekit.api.client", "io.gatekit.api.http", "io.gatekit.api.match",
                "io.gatekit.api.metrics"),
                api.exports().stream().map(ModuleDescriptor.Exports::source).sorted().toList());

        // named by its Automatic-Module-Name, not by its file name
        assertTrue(module("io.gatekit.engine").isAutomatic());
    }

    @Test
    void aPluginOnTheModulePathStampsRequestsThroughAHostOnTheClassPath(@TempDir Path dir) throws Exception {
        CompletableFuture<String> upstreamSaw = new CompletableFuture<>();
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            upstreamSaw.complete(String.valueOf(exchange.getRequestHeaders().getFirst("x-stamp")));
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"routes": [{"id": "1", "uri": "/hello",
                  "upstream": {"nodes": {"127.0.0.1:%d": 1}},
                  "plugins": {"header-stamp": {"name": "x-stamp", "value": "module-path"}}}]}"""
                .formatted(upstream.getAddress().getPort()));

        host = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                // the engine is an automatic module, so it requires nothing: the host names the
                // explicit modules it needs resolved; the plugin comes in by service binding
                "--add-modules", "io.gatekit.engine,io.gatekit.api,com.fasterxml.jackson.databind",
                "-cp", System.getProperty("gatekit.host.jar"),
                "com.example.host.Main", "0", config.toString())
                .redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        Matcher listening = null;
        for (String line; (line = output.readLine()) != null; ) {   // ends when the host exits
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                listening = m;
                break;
            }
        }
        assertTrue(listening != null, "the host did not start:\n" + seen);
        assertEquals("[header-stamp]", listening.group(2));

        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listening.group(1) + "/hello"))
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ok", response.body());
        assertEquals("module-path", response.headers().firstValue("x-stamp").orElse(null));
        assertEquals("module-path", upstreamSaw.get(30, TimeUnit.SECONDS));
    }

    private ModuleDescriptor module(String name) {
        return ModuleFinder.of(modulePath.toArray(Path[]::new)).find(name).map(ModuleReference::descriptor)
                .orElseThrow(() -> new AssertionError(name + " is not on the module path " + modulePath));
    }

    private static String read(String file) {
        if (file == null) {
            throw new IllegalStateException("gatekit.host.dependencies is not set: run this test with failsafe "
                    + "(mvn verify), which packages the jars first");
        }
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the host's dependency list " + file, e);
        }
    }
}
