package io.gatekit.testkit.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.engine.Engine;
import java.util.List;

/**
 * What {@link HostConformance} hands the host it starts: the plugins its routes use, to register
 * on the host's engine next to the discovered ones ({@code proxy-mirror} among them).
 *
 * @param plugins the suite's own plugins
 */
public record HostSetup(List<PluginFactory<?>> plugins) {

    public HostSetup {
        plugins = List.copyOf(requireNonNull(plugins, "plugins"));
    }

    /** An engine builder with the discovered plugins and the suite's; add the host's own settings. */
    public Engine.Builder engine() {
        Engine.Builder builder = Engine.builder().discoverPlugins();
        plugins.forEach(builder::plugin);
        return builder;
    }

    /**
     * The response a host's application must give for the {@link Capability#APPLICATION} cases:
     * status 200, {@code content-type: text/plain}, and this body.
     */
    public static String applicationBody(String method, String pathAndQuery) {
        return "app " + method + " " + pathAndQuery;
    }

    /**
     * As {@link #applicationBody(String, String)}, for a request that may carry a body: the
     * application also says which Content-Length header it was handed and the body it read, so the
     * cases see what a plugin's replacement of the body did to both. A request without a body
     * (none read, no Content-Length or 0) gets the plain answer.
     *
     * @param contentLength the request's Content-Length header as the application sees it, or {@code null}
     * @param body          the request body the application read; empty for none
     */
    public static String applicationBody(String method, String pathAndQuery, @Nullable String contentLength,
            byte[] body) {
        if (body.length == 0 && (contentLength == null || contentLength.trim().equals("0"))) {
            return applicationBody(method, pathAndQuery);
        }
        return applicationBody(method, pathAndQuery) + " length=" + contentLength + " body="
                + new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What a host can do, beyond proxying routes with an upstream (which every host does). */
    public enum Capability {
        /**
         * The host has an application of its own: a route without an upstream wraps it, a request no
         * route matches reaches it untouched. It answers as {@link #applicationBody} says.
         */
        APPLICATION
    }
}
