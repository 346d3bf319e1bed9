package io.gatekit.spring.cloud.gateway;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The plugins of one Spring Cloud Gateway route, kept in the engine as a disabled route
 * ({@code "status": 0}): the engine's router never matches it, only the route's filter starts
 * calls on it ({@link Engine#newCall(HttpRequest, String)}), so its plugins run after the global
 * rules and with the consumers and plugin metadata of the engine's config. A config source that
 * replaces the whole config (a changed {@code gatekit.config}) drops it; the next request puts it
 * back before it runs.
 */
final class HostedRoute {

    /** The ids APISIX accepts ({@code schema_def.lua}'s {@code id_schema}), within its 64 characters. */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9._-]{1,60}");
    private static final String PREFIX = "scg.";
    /** Outside {@code scg.*}: no SCG route's id maps to it. */
    private static final String GLOBAL_RULES_ONLY = "scg-global-rules";

    private final Engine engine;
    private final String id;
    private final String json;

    private HostedRoute(Engine engine, String id, String json) {
        this.engine = engine;
        this.id = id;
        this.json = json;
    }

    /**
     * Checks {@code plugins} (the JSON object of an APISIX route's {@code plugins}) with the engine's
     * schemas and stores them as route {@code scg.<name>}.
     *
     * @param name what the route is called in the engine: the SCG route's id, or a digest of the plugins
     * @throws ConfigException with APISIX's message when a plugin's config is invalid
     */
    static HostedRoute store(Engine engine, String name, String plugins) {
        String id = PREFIX + (ID.matcher(name).matches() ? name : digest(name));
        return store(engine, id, "Spring Cloud Gateway route " + id.substring(PREFIX.length()), plugins);
    }

    /** A route without plugins of its own: a call on it runs the global rules only. */
    static HostedRoute globalRulesOnly(Engine engine) {
        return store(engine, GLOBAL_RULES_ONLY, "the global rules on Spring Cloud Gateway routes", "{}");
    }

    private static HostedRoute store(Engine engine, String id, String desc, String plugins) {
        String json = "{\"uri\": \"/*\", \"status\": 0, \"desc\": \"" + desc + "\", \"plugins\": " + plugins + "}";
        HostedRoute route = new HostedRoute(engine, id, json);
        route.put();
        return route;
    }

    /** The name of a route whose SCG id is unknown: its plugins' digest, the same for the same plugins. */
    static String nameOf(String plugins) {
        return digest(plugins);
    }

    /** The engine route's id. */
    String id() {
        return id;
    }

    /** Starts {@code request} on this route, putting it back first if a config change dropped it. */
    Call newCall(HttpRequest request) {
        try {
            return engine.newCall(request, id);
        } catch (IllegalArgumentException dropped) {
            synchronized (this) {
                if (engine.get(ResourceKind.ROUTES, id).isEmpty()) {
                    put();
                }
            }
            return engine.newCall(request, id);
        }
    }

    private void put() {
        engine.put(ResourceKind.ROUTES, id, json);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
