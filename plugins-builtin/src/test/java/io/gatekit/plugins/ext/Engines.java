package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Engines set up as the gateway sets them up: every plugin discovered, the runner in plugin_attr. */
final class Engines {

    static final List<String> NAMES = List.of("ext-plugin-pre-req", "ext-plugin-post-req", "ext-plugin-post-resp");

    private Engines() {
    }

    /** An engine whose ext-plugins talk to the runner at {@code socket}. */
    static Engine withRunner(Path socket) {
        return withAttributes("{\"socket_path\": \"" + socket + "\"}");
    }

    /** An engine whose three ext-plugins get {@code attributes} ({@code null}: none at all). */
    static Engine withAttributes(@Nullable String attributes) {
        Engine.Builder builder = Engine.builder().discoverPlugins();
        if (attributes != null) {
            NAMES.forEach(name -> builder.pluginAttributes(name, attributes));
        }
        return builder.build();
    }

    /** Puts route {@code id} on {@code uri} with {@code plugins} (a JSON object's members). */
    static void route(Engine engine, String id, String uri, String plugins) {
        engine.put(ResourceKind.ROUTES, id, """
                {"uri": "%s", "upstream": {"nodes": {"127.0.0.1:1980": 1}}, "plugins": {%s}}"""
                .formatted(uri, plugins));
    }

    /** A request as a client at 10.1.2.3 sends it. */
    static HttpRequest.Builder request(String method, String uri) {
        return HttpRequest.builder().method(method).uri(uri).header("Host", "api.example.com")
                .remoteAddress(new InetSocketAddress("10.1.2.3", 40000));
    }

    /** {@code "conf": [{"name": plugin, "value": value}]} as JSON. */
    static String conf(String plugin, String value) {
        return "\"conf\": [{\"name\": \"" + plugin + "\", \"value\": \"" + value.replace("\"", "\\\"") + "\"}]";
    }
}
