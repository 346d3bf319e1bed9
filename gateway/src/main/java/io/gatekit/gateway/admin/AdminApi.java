package io.gatekit.gateway.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The APISIX-compatible Admin API (v3 shapes), independent of the transport: one whole
 * {@link AdminRequest} in, one whole {@link AdminResponse} out. Reads come from the {@link Engine};
 * writes go through the {@link ConfigSource} (by default the engine itself, whose calls are fast and
 * synchronous). With a remote source such as etcd a write waits for the store, so a server should
 * then call {@link #handle} off its I/O threads. Thread-safe and immutable.
 *
 * <pre>{@code
 * AdminApi admin = AdminApi.builder(engine)
 *         .adminKey("admin", "edd1c9f034335f136f87ad84b625c8f1", AdminApi.Role.ADMIN)
 *         .build();
 * AdminResponse response = admin.handle(new AdminRequest("PUT", "/apisix/admin/routes/1", null,
 *         HttpHeaders.of("X-API-KEY", "edd1c9f034335f136f87ad84b625c8f1"), body, "127.0.0.1"));
 * }</pre>
 *
 * <h2>Endpoints</h2>
 * Under {@code /apisix/admin}; {@code {res}} is one of {@code routes}, {@code services},
 * {@code upstreams}, {@code plugin_configs}, {@code global_rules}, {@code plugin_metadata} (whose
 * id is a plugin name). {@code <kind>} below is APISIX's word for it: {@code route},
 * {@code service}, {@code upstream}, {@code plugin config}, {@code global rule},
 * {@code plugin_metadata}.
 * <table>
 * <caption>Endpoints, statuses and bodies</caption>
 * <tr><th>request</th><th>answer</th></tr>
 * <tr><td>{@code GET /{res}}</td><td>200 {@code {"total": n, "list": [{"key", "value", "createdIndex",
 *     "modifiedIndex"}, ...]}}; filters {@code name} (regex on {@code name}), {@code label} (a key
 *     of {@code labels}), {@code uri} (regex on {@code uri}/{@code uris}); paging only with both
 *     {@code page} and {@code page_size}: 400 unless 10 &le; page_size &le; 500, page &lt; 1 is 1</td></tr>
 * <tr><td>{@code GET /{res}/{id}}</td><td>200 {@code {"key": "/apisix/routes/1", "value": {...},
 *     "createdIndex", "modifiedIndex"}}; 404 {@code {"message": "Key not found"}}</td></tr>
 * <tr><td>{@code PUT /{res}/{id}}</td><td>201 created or 200 replaced, same single-object body;
 *     400 {@code missing configurations} (no body), {@code wrong <kind> id} (body id differs)</td></tr>
 * <tr><td>{@code PUT /{res}} with {@code "id"} in the body</td><td>as above; 400
 *     {@code missing <kind> id} without it</td></tr>
 * <tr><td>{@code POST /{res}}</td><td>201 under a generated id; 400 {@code wrong <kind> id, do not need
 *     it} when an id is given; 405 for plugin_configs, global_rules, plugin_metadata</td></tr>
 * <tr><td>{@code PATCH /{res}/{id}}</td><td>200; JSON merge patch (RFC 7396, as APISIX's
 *     {@code core.table.merge}): objects merge, {@code null} removes, arrays are replaced; 400
 *     {@code missing new configuration}, {@code invalid configuration} (body not an object); 404
 *     {@code {"message": "Key not found"}}; 405 for plugin_metadata</td></tr>
 * <tr><td>{@code PATCH /{res}/{id}/{sub/path}}</td><td>200; the body (any JSON value) replaces
 *     that sub-tree, missing objects on the way are created, {@code null} removes the key; 400
 *     {@code invalid sub-path: /a} when a scalar is in the way</td></tr>
 * <tr><td>{@code DELETE /{res}/{id}[?force=true]}</td><td>200 {@code {"deleted": "1", "key":
 *     "/apisix/routes/1"}}; 400 {@code can not delete this upstream, route [1] is still using it
 *     now} unless forced; 404 {@code {"message": "Key not found"}}</td></tr>
 * <tr><td>{@code GET /plugins/list[?subsystem=http|stream]}</td><td>200 array of names, highest
 *     priority first; {@code stream}: {@code []} (Gatekit plugins are HTTP only)</td></tr>
 * <tr><td>{@code GET /plugins?all=true}</td><td>200 {@code {name: {"version", "priority", "schema",
 *     "metadata_schema"}}}</td></tr>
 * <tr><td>{@code GET /plugins/{name}[?subsystem=...][&schema_type=metadata|consumer]}, also under
 *     {@code /schema/plugins/{name}}</td><td>200 the config schema with the injected {@code _meta} (or
 *     the metadata schema, or an authentication plugin's consumer schema; 400 {@code not found
 *     schema} for a plugin without one); 404 {@code plugin not found
 *     in subsystem http} (or {@code stream}, for every plugin); 400 {@code unsupported subsystem: x}</td></tr>
 * <tr><td>{@code PUT /plugins/reload}</td><td>200 {@code {"message": "done", "reloaded": false, "note":
 *     ...}}: plugins are fixed when Gatekit starts, so there is nothing to reload, but APISIX tools
 *     that call it keep working; other methods 405 as APISIX words it</td></tr>
 * <tr><td>{@code POST /schema/validate/{res}}</td><td>200 with an empty body, as APISIX; 400 with the
 *     error body below; the check is the engine's full one (plugins and references included), not
 *     only the resource's JSON schema as in APISIX</td></tr>
 * <tr><td>{@code GET /explain?uri=/hello&method=GET&host=example.com&scheme=http
 *     &remote_addr=1.2.3.4&header=X-Api-Version:v2} (header repeatable) or {@code POST /explain} with
 *     {@code {"uri", "method", "host", "scheme", "remote_addr", "headers": {name: value | [values]}}}</td>
 *     <td>200 {@code {"request": {...}, "matched": true, "route_id": "1", "snapshot_version": 7,
 *     "phases": {"rewrite": [{"name", "priority", "origin", "origin_id", "filter",
 *     "filter_matches"}], "access": [...], "before_proxy", "header_filter", "body_filter", "log"},
 *     "skipped": [{"name", "origin", "origin_id", "reason"}]}}: {@link Engine#explain} of that
 *     request; phases in execution order, plugins in the order they run</td></tr>
 * <tr><td>{@code HEAD /apisix/admin}</td><td>200, empty (a liveness probe, as APISIX)</td></tr>
 * </table>
 *
 * <h2>Errors</h2>
 * Every error body is JSON with APISIX's {@code error_msg}; a 400 also lists every problem found:
 * {@code {"error_msg": "failed to check the configuration of plugin proxy-mirror err: ...",
 * "violations": [{"pointer": "/plugins/proxy-mirror/host", "keyword": "pattern", "message":
 * "..."}]}}. A body that is not JSON gives 400 {@code invalid request body: <parser message>}; one
 * over 1.5 MiB (APISIX's limit) too. An unknown resource gives 404 {@code Unsupported resource type:
 * x}; a method a resource lacks 405 {@code not supported `POST` method for global rule}. Anything
 * unexpected is logged and answered 500 {@code {"error_msg": "internal error: ..."}}: no exception
 * leaves {@link #handle}.
 *
 * <h2>Access</h2>
 * <ol>
 *   <li>{@code allow_admin}: a client whose IP is outside every CIDR (IPv4 or IPv6) gets 403
 *       {@code {"error_msg": "..."}} (APISIX's nginx answers its HTML 403 page). The default is
 *       APISIX's {@code 127.0.0.0/24}; an empty list refuses everyone, as APISIX's nginx template then
 *       writes only {@code deny all}; {@link Builder#allowAdminFromAnywhere()} is APISIX without
 *       {@code allow_admin}.</li>
 *   <li>The key, taken as APISIX takes it: the {@code api_key} query argument, else the
 *       {@code X-API-KEY} header, else the {@code x_api_key} cookie (nginx's
 *       {@code $cookie_x_api_key}). It is compared in constant time with every configured key (as
 *       SHA-256 digests). 401 {@code {"error_msg": "failed to check token", "description":
 *       "missing apikey" | "wrong apikey" | "invalid method for role viewer"}}.</li>
 *   <li>A {@link Role#VIEWER} key may only read: {@code GET}, plus the two {@code POST}s that change
 *       nothing, {@code /schema/validate/...} and {@code /explain} (APISIX checks no key at all for
 *       schema validation).</li>
 *   <li>{@link Builder#acceptMissingKey(boolean)} serves requests without a key as admin (APISIX's
 *       {@code admin_key_required: false}); a key that is presented is still checked.</li>
 * </ol>
 *
 * <h2>Choices where Gatekit differs from APISIX</h2>
 * <ul>
 *   <li>{@code create_time} and {@code update_time} in a body are accepted and ignored when they are
 *       integers: the engine manages them (APISIX stores what the client sent). Accepting them keeps
 *       "GET, edit, PUT back" and PATCH working. Any other value is refused, as APISIX refuses it.</li>
 *   <li>{@code ?ttl=} is refused with 400: resources never expire in Gatekit, and ignoring it would
 *       leave a resource the client expects to vanish.</li>
 *   <li>A sub-path on anything but PATCH gives 404 {@code not found} (APISIX ignores it, so a
 *       mistyped PUT would replace the whole resource); methods outside GET, PUT, POST, PATCH,
 *       DELETE give 405 (APISIX: 404).</li>
 *   <li>PATCH reads, merges and writes without a compare-and-set (APISIX uses the store's
 *       revision): of two concurrent PATCHes of one resource, the last write wins.</li>
 *   <li>{@code page_size} out of range and every other error have a JSON body; APISIX answers a
 *       few of them as plain text.</li>
 * </ul>
 */
public final class AdminApi {

    /** What an admin key may do (APISIX's {@code deployment.admin.admin_key[].role}). */
    public enum Role {
        /** Every method. */
        ADMIN,
        /** Reads only. */
        VIEWER
    }

    /** APISIX's default {@code allow_admin}. */
    public static final List<String> DEFAULT_ALLOW_ADMIN = List.of("127.0.0.0/24");

    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());
    private static final byte[] NO_BODY = new byte[0];

    private final Engine engine;
    private final ConfigSource source;
    private final String keyPrefix;
    private final KeyRing keys;
    private final AllowAdmin allowAdmin;
    private final boolean acceptMissingKey;

    private AdminApi(Builder builder) {
        this.engine = builder.engine;
        this.source = builder.source;
        this.keyPrefix = builder.keyPrefix;
        this.keys = builder.keys.build();
        this.allowAdmin = builder.allowAdmin;
        this.acceptMissingKey = builder.acceptMissingKey;
    }

    /** A builder for an Admin API over {@code engine}. */
    public static Builder builder(Engine engine) {
        return new Builder(requireNonNull(engine, "engine"));
    }

    /** Answers {@code request}; never throws. */
    public AdminResponse handle(AdminRequest request) {
        try {
            return dispatch(request);
        } catch (AdminError e) {
            ObjectNode body = Json.error(e.errorMsg(), e.violations());
            if (e.description() != null) {
                body.put("description", e.description());
            }
            return json(e.status(), body);
        } catch (ConfigException e) {
            return json(e.status(), Json.error(e.errorMsg(), e.violations()));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Admin API " + request.method() + " " + request.path() + " failed", e);
            return json(500, Json.error("internal error: " + e, List.of()));
        }
    }

    private AdminResponse dispatch(AdminRequest request) {
        List<String> segments = segments(request.path());
        if (segments.size() < 2 || !segments.get(0).equals("apisix") || !segments.get(1).equals("admin")) {
            throw AdminError.of(404, "not found");
        }
        if (!allowAdmin.allows(request.remoteIp())) {
            LOG.log(Level.WARNING, "Admin API refused " + request.remoteIp() + ": not in allow_admin");
            throw AdminError.of(403, "access to the Admin API is not allowed from " + request.remoteIp()
                    + " (not in allow_admin)");
        }
        String method = request.method();
        List<String> rest = segments.subList(2, segments.size());
        if (rest.isEmpty()) {
            if (method.equals("HEAD")) {
                return new AdminResponse(200, headers(), NO_BODY);
            }
            throw AdminError.of(404, "not found");
        }
        QueryParams query = query(request.rawQuery());
        authenticate(request, query, readsOnly(method, rest));
        String first = rest.get(0);
        List<String> after = rest.subList(1, rest.size());
        switch (first) {
            case "plugins":
                return plugins(method, after, query);
            case "schema":
                if (!after.isEmpty() && after.get(0).equals("plugins")) {
                    // APISIX's /apisix/admin/schema/plugins/<name>: the same as /plugins/<name>
                    return plugins(method, after.subList(1, after.size()), query);
                }
                return validate(method, after, request.body());
            case "explain":
                return explain(method, after, query, request.body());
            default:
                ResourceKind kind = ResourceKind.ofPath(first);
                if (kind == null) {
                    throw AdminError.of(404, "Unsupported resource type: " + first);
                }
                return resource(kind, method, after, query, request.body());
        }
    }

    // ---- access ----

    private static boolean readsOnly(String method, List<String> rest) {
        if (method.equals("GET")) {
            return true;
        }
        boolean dryRun = rest.get(0).equals("explain")
                || rest.get(0).equals("schema") && rest.size() > 1 && rest.get(1).equals("validate");
        return method.equals("POST") && dryRun;
    }

    private void authenticate(AdminRequest request, QueryParams query, boolean readsOnly) {
        String presented = presentedKey(request, query);
        if (presented == null) {
            if (acceptMissingKey) {
                return;
            }
            throw refused(request, "missing apikey");
        }
        KeyRing.Entry entry = keys.lookup(presented);
        if (entry == null) {
            throw refused(request, "wrong apikey");
        }
        if (entry.role() == Role.VIEWER && !readsOnly) {
            throw refused(request, "invalid method for role viewer");
        }
    }

    private static AdminError refused(AdminRequest request, String why) {
        LOG.log(Level.WARNING, "failed to check token: " + why + " (" + request.method() + " " + request.path()
                + " from " + request.remoteIp() + ")");
        return AdminError.unauthorized(why);
    }

    /** APISIX: {@code arg_api_key or http_x_api_key or cookie_x_api_key}; an empty value counts. */
    private static @Nullable String presentedKey(AdminRequest request, QueryParams query) {
        for (int i = 0; i < query.size(); i++) {
            if (query.name(i).equalsIgnoreCase("api_key")) {
                return query.value(i);
            }
        }
        String header = request.headers().get("X-API-KEY");
        if (header != null) {
            return header;
        }
        for (String cookies : request.headers().all("Cookie")) {
            for (String cookie : cookies.split(";")) {
                int eq = cookie.indexOf('=');
                if (eq > 0 && cookie.substring(0, eq).trim().equalsIgnoreCase("x_api_key")) {
                    return cookie.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    // ---- resources ----

    private AdminResponse resource(ResourceKind kind, String method, List<String> rest, QueryParams query,
            byte[] rawBody) {
        String id = rest.isEmpty() ? null : rest.get(0);
        List<String> subPath = rest.size() > 1 ? rest.subList(1, rest.size()) : List.of();
        JsonNode body = Json.body(rawBody);
        if (query.contains("ttl")) {
            throw AdminError.badRequest("invalid argument ttl: not supported, resources never expire in Gatekit",
                    "", "ttl", "ttl: " + query.get("ttl") + " (expected: no ttl; delete the resource instead)");
        }
        if (!subPath.isEmpty() && !method.equals("PATCH")) {
            throw AdminError.of(404, "not found");
        }
        switch (method) {
            case "GET":
                return id == null ? json(200, Listing.render(engine.list(kind).stream().map(engine::redact).toList(),
                        query, keyPrefix))
                        : get(kind, id);
            case "PUT":
                return put(kind, id, body);
            case "POST":
                return post(kind, id, body);
            case "PATCH":
                return patch(kind, id, subPath, body);
            case "DELETE":
                return delete(kind, id, query);
            default:
                throw notSupported(method, apisixKind(kind));
        }
    }

    private AdminResponse get(ResourceKind kind, String id) {
        Optional<Resource> found = engine.get(kind, id);
        return found.isEmpty() ? keyNotFound() : json(200, Json.single(engine.redact(found.get()), keyPrefix));
    }

    private AdminResponse put(ResourceKind kind, @Nullable String pathId, @Nullable JsonNode body) {
        if (body == null) {
            throw missingConfigurations();
        }
        String id = pathId;
        if (kind == ResourceKind.CONSUMERS) {
            // APISIX: PUT /apisix/admin/consumers with the username in the body is the id
            JsonNode username = body.isObject() ? body.get("username") : null;
            if (id == null) {
                if (username == null || !username.isTextual()) {
                    throw AdminError.badRequest("invalid configuration: property \"username\" is required",
                            "/username", "required", "no username (expected: PUT /apisix/admin/consumers with "
                                    + "{\"username\": \"jack\", ...})");
                }
                id = username.textValue();
            }
        } else if (kind == ResourceKind.PLUGIN_METADATA) {
            if (id == null) {
                throw AdminError.badRequest("missing plugin name", "", "required",
                        "no plugin name (expected: PUT /apisix/admin/plugin_metadata/{plugin_name})");
            }
        } else {
            JsonNode bodyId = body.isObject() ? body.get("id") : null;
            boolean hasBodyId = bodyId != null && !bodyId.isNull();
            if (id == null) {
                if (!hasBodyId) {
                    throw AdminError.badRequest("missing " + apisixKind(kind) + " id", "/id", "required",
                            "no id in the path nor in the body (expected: PUT /apisix/admin/" + kind.path()
                                    + "/{id}, or an \"id\" in the body)");
                }
                id = idText(bodyId);
                if (id == null) {
                    throw wrongId(kind, bodyId, null);
                }
            } else if (hasBodyId && !id.equals(idText(bodyId))) {
                throw wrongId(kind, bodyId, id);
            }
        }
        Resource stored = source.put(kind, id, body.toString());
        return json(stored.createdIndex() == stored.modifiedIndex() ? 201 : 200,
                Json.single(engine.redact(stored), keyPrefix));
    }

    private AdminResponse post(ResourceKind kind, @Nullable String pathId, @Nullable JsonNode body) {
        if (kind == ResourceKind.PLUGIN_CONFIGS || kind == ResourceKind.GLOBAL_RULES
                || kind == ResourceKind.PLUGIN_METADATA || kind == ResourceKind.CONSUMERS
                || kind == ResourceKind.CONSUMER_GROUPS) {
            throw notSupported("POST", apisixKind(kind));
        }
        if (body == null) {
            throw missingConfigurations();
        }
        boolean bodyId = body.isObject() && body.hasNonNull("id");
        if (pathId != null || bodyId) {
            throw AdminError.badRequest("wrong " + apisixKind(kind) + " id, do not need it", bodyId ? "/id" : "",
                    "not", "POST creates under a generated id (expected: no id; use PUT /apisix/admin/"
                            + kind.path() + "/{id} to choose one)");
        }
        Resource stored = source.create(kind, body.toString());
        return json(201, Json.single(engine.redact(stored), keyPrefix));
    }

    private AdminResponse patch(ResourceKind kind, @Nullable String id, List<String> subPath,
            @Nullable JsonNode body) {
        if (kind == ResourceKind.PLUGIN_METADATA || kind == ResourceKind.CONSUMERS) {
            throw notSupported("PATCH", apisixKind(kind));
        }
        if (id == null) {
            throw AdminError.badRequest("missing " + apisixKind(kind) + " id", "/id", "required",
                    "no id in the path (expected: PATCH /apisix/admin/" + kind.path() + "/{id})");
        }
        if (body == null) {
            throw AdminError.badRequest("missing new configuration", "", "required",
                    "the request body is empty (expected: the JSON to merge, or the new value of the sub-path)");
        }
        if (subPath.isEmpty() && !body.isObject()) {
            throw AdminError.badRequest("invalid configuration", "", "type",
                    "a merge patch must be a JSON object (expected: e.g. {\"uri\": \"/new\"}, or PATCH a sub-path)");
        }
        Optional<Resource> old = engine.get(kind, id);
        if (old.isEmpty()) {
            return keyNotFound();
        }
        ObjectNode current = (ObjectNode) Json.parse(old.get().json());
        JsonNode next = subPath.isEmpty() ? JsonPatches.merge(current, body)
                : JsonPatches.replaceAt(current, subPath, body);
        JsonNode nextId = next.get("id");
        if (nextId != null && !nextId.isNull() && !id.equals(idText(nextId))) {
            throw wrongId(kind, nextId, id);
        }
        Resource stored = source.put(kind, id, next.toString());
        return json(200, Json.single(engine.redact(stored), keyPrefix));
    }

    private AdminResponse delete(ResourceKind kind, @Nullable String id, QueryParams query) {
        if (id == null) {
            throw AdminError.badRequest("missing " + apisixKind(kind) + " id", "/id", "required",
                    "no id in the path (expected: DELETE /apisix/admin/" + kind.path() + "/{id})");
        }
        Optional<Resource> deleted = source.delete(kind, id, "true".equals(query.get("force")));
        if (deleted.isEmpty()) {
            return keyNotFound();
        }
        ObjectNode body = Json.object();
        body.put("deleted", "1");
        body.put("key", Json.key(deleted.get(), keyPrefix));
        return json(200, body);
    }

    /** The id a JSON value stands for, as APISIX's {@code tostring}: strings and numbers only. */
    private static @Nullable String idText(JsonNode id) {
        return id.isTextual() || id.isNumber() ? id.asText() : null;
    }

    private static AdminError wrongId(ResourceKind kind, JsonNode bodyId, @Nullable String pathId) {
        String expected = pathId == null ? "a string or an integer" : "\"" + pathId + "\", the id in the path";
        return AdminError.badRequest("wrong " + apisixKind(kind) + " id", "/id", "const",
                "id: " + bodyId + " (expected: " + expected + ")");
    }

    private static AdminError missingConfigurations() {
        return AdminError.badRequest("missing configurations", "", "required",
                "the request body is empty (expected: the resource as a JSON object)");
    }

    private static AdminError notSupported(String method, String what) {
        return AdminError.of(405, "not supported `" + method + "` method for " + what);
    }

    /** APISIX's 404 body for a missing key, straight from its etcd layer. */
    private static AdminResponse keyNotFound() {
        ObjectNode body = Json.object();
        body.put("message", "Key not found");
        return json(404, body);
    }

    /** The {@code kind} APISIX's Admin API modules use in their messages. */
    static String apisixKind(ResourceKind kind) {
        return switch (kind) {
            case ROUTES -> "route";
            case SERVICES -> "service";
            case UPSTREAMS -> "upstream";
            case PLUGIN_CONFIGS -> "plugin config";
            case GLOBAL_RULES -> "global rule";
            case PLUGIN_METADATA -> "plugin_metadata";
            case CONSUMERS -> "consumer";
            case CONSUMER_GROUPS -> "consumer group";
            case SSLS -> "ssl";
        };
    }

    // ---- plugins ----

    private AdminResponse plugins(String method, List<String> rest, QueryParams query) {
        if (rest.size() == 1 && rest.get(0).equals("reload")) {
            if (!method.equals("PUT")) {
                throw AdminError.of(405, "please use PUT method to reload the plugins, " + method
                        + " method is not allowed.");
            }
            ObjectNode body = Json.object();
            body.put("message", "done");
            body.put("reloaded", false);
            body.put("note", "Gatekit loads its plugins once, when it starts: nothing was reloaded; restart the "
                    + "gateway to change the plugin list");
            return json(200, body);
        }
        if (!method.equals("GET")) {
            throw notSupported(method, "plugins");
        }
        if (rest.isEmpty()) {
            if (!"true".equals(query.get("all"))) {
                throw AdminError.badRequest("not found plugin name", "", "required",
                        "no plugin name (expected: /apisix/admin/plugins/{name}, /plugins/list or /plugins?all=true)");
            }
            return json(200, allPlugins());
        }
        if (rest.size() > 1) {
            throw AdminError.of(404, "not found");
        }
        String subsystem = query.get("subsystem");
        if (rest.get(0).equals("list")) {
            if (subsystem != null && !subsystem.equals("http") && !subsystem.equals("stream")) {
                throw AdminError.badRequest("invalid subsystem passed", "", "subsystem",
                        "subsystem: " + subsystem + " (expected: http or stream)");
            }
            var names = Json.array();
            if (!"stream".equals(subsystem)) {
                sortedPlugins().forEach(p -> names.add(p.name()));
            }
            return json(200, names);
        }
        return pluginSchema(rest.get(0), subsystem, query.get("schema_type"));
    }

    private AdminResponse pluginSchema(String name, @Nullable String subsystem, @Nullable String schemaType) {
        if (subsystem != null && !subsystem.equals("http") && !subsystem.equals("stream")) {
            throw AdminError.badRequest("unsupported subsystem: " + subsystem, "", "subsystem",
                    "subsystem: " + subsystem + " (expected: http or stream)");
        }
        String in = subsystem == null ? "http" : subsystem;
        Optional<PluginInfo> plugin = in.equals("http") ? engine.plugin(name) : Optional.empty();
        if (plugin.isEmpty()) {
            throw AdminError.of(404, "plugin not found in subsystem " + in);
        }
        if ("metadata".equals(schemaType)) {
            String metadata = plugin.get().metadataSchema();
            if (metadata == null) {
                throw AdminError.of(404, "plugin " + name + " has no metadata_schema");
            }
            return json(200, Json.parse(metadata));
        }
        if ("consumer".equals(schemaType)) {
            String consumer = plugin.get().consumerSchema();
            if (consumer == null) {
                throw AdminError.badRequest("not found schema", "", "schema_type",
                        "schema_type: consumer (expected: an authentication plugin)");
            }
            return json(200, Json.parse(consumer));
        }
        return json(200, Json.parse(plugin.get().schema()));
    }

    private ObjectNode allPlugins() {
        ObjectNode all = Json.object();
        for (PluginInfo plugin : sortedPlugins()) {
            ObjectNode one = all.putObject(plugin.name());
            one.put("version", plugin.version());
            one.put("priority", plugin.priority());
            one.set("schema", Json.parse(plugin.schema()));
            if (plugin.metadataSchema() != null) {
                one.set("metadata_schema", Json.parse(plugin.metadataSchema()));
            }
        }
        return all;
    }

    /** Highest priority first, as APISIX's {@code get_plugins_list}; ties by name. */
    private List<PluginInfo> sortedPlugins() {
        List<PluginInfo> plugins = new ArrayList<>(engine.plugins());
        plugins.sort(Comparator.comparingInt(PluginInfo::priority).reversed().thenComparing(PluginInfo::name));
        return plugins;
    }

    // ---- dry runs ----

    private AdminResponse validate(String method, List<String> rest, byte[] rawBody) {
        if (rest.size() != 2 || !rest.get(0).equals("validate")) {
            throw AdminError.of(404, "not found");
        }
        if (!method.equals("POST")) {
            throw notSupported(method, "schema validation");
        }
        ResourceKind kind = ResourceKind.ofPath(rest.get(1));
        if (kind == null) {
            throw AdminError.of(404, "Unsupported resource type: " + rest.get(1));
        }
        JsonNode body = Json.body(rawBody);
        if (body == null) {
            throw missingConfigurations();
        }
        List<Violation> violations = engine.validate(kind, body.toString());
        if (violations.isEmpty()) {
            return new AdminResponse(200, headers(), NO_BODY);
        }
        return json(400, Json.error(dryRunMessage(violations.get(0)), violations));
    }

    /**
     * The {@code error_msg} of a dry run, from its first violation: the reason as APISIX's schema
     * validation words it (no {@code invalid configuration:} prefix there), with the plugin named
     * for a violation inside a plugin's config.
     */
    static String dryRunMessage(Violation first) {
        String message = first.message();
        int newline = message.indexOf('\n');
        String reason = newline < 0 ? message : message.substring(0, newline);
        String pointer = first.pointer();
        if (pointer.startsWith("/plugins/") && !first.keyword().equals("unknownPlugin")) {
            String rest = pointer.substring("/plugins/".length());
            int slash = rest.indexOf('/');
            if (slash >= 0) {
                String plugin = rest.substring(0, slash).replace("~1", "/").replace("~0", "~");
                return "failed to check the configuration of plugin " + plugin + " err: " + reason;
            }
        }
        return reason;
    }

    private AdminResponse explain(String method, List<String> rest, QueryParams query, byte[] rawBody) {
        if (!rest.isEmpty()) {
            throw AdminError.of(404, "not found");
        }
        HttpRequest request;
        String consumer;
        if (method.equals("GET")) {
            request = ExplainEndpoint.fromQuery(query);
            consumer = query.get("consumer");
        } else if (method.equals("POST")) {
            JsonNode body = Json.body(rawBody);
            if (body == null) {
                throw AdminError.badRequest("missing request body", "", "required",
                        "the request body is empty (expected: e.g. {\"uri\": \"/hello\", \"method\": \"GET\"})");
            }
            request = ExplainEndpoint.fromBody(body);
            consumer = body.path("consumer").isTextual() ? body.get("consumer").textValue() : null;
        } else {
            throw notSupported(method, "explain");
        }
        if (consumer == null) {
            return json(200, ExplainEndpoint.render(request, engine.explain(request)));
        }
        try {
            return json(200, ExplainEndpoint.render(request, engine.explain(request, consumer)));
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest("consumer not found", "/consumer", "reference", e.getMessage());
        }
    }

    // ---- plumbing ----

    private static AdminResponse json(int status, JsonNode body) {
        HttpHeaders headers = headers();
        headers.set("Content-Type", "application/json");
        return new AdminResponse(status, headers, Json.bytes(body));
    }

    private static HttpHeaders headers() {
        return HttpHeaders.of("X-API-VERSION", "v3");
    }

    private static QueryParams query(@Nullable String rawQuery) {
        try {
            return QueryParams.parse(rawQuery);
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest("invalid query string", "", "query",
                    "query: " + rawQuery + " (expected: name=value pairs with valid percent escapes)");
        }
    }

    /**
     * The non-empty segments of {@code path}, percent escapes decoded (nginx hands APISIX a
     * decoded URI with merged slashes).
     */
    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>(6);
        for (String raw : path.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decode(raw, path));
            }
        }
        return segments;
    }

    private static String decode(String segment, String path) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        int i = 0;
        while (i < segment.length()) {
            int percent = segment.indexOf('%', i);
            int end = percent < 0 ? segment.length() : percent;
            byte[] plain = segment.substring(i, end).getBytes(StandardCharsets.UTF_8);
            out.write(plain, 0, plain.length);
            if (percent < 0) {
                break;
            }
            int hi = percent + 2 < segment.length() ? Character.digit(segment.charAt(percent + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(segment.charAt(percent + 2), 16);
            if (lo < 0) {
                throw AdminError.badRequest("invalid request uri: " + path, "", "uri",
                        "path: " + path + " (expected: % followed by two hex digits)");
            }
            out.write(hi * 16 + lo);
            i = percent + 3;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Configures and builds an {@link AdminApi}. */
    public static final class Builder {
        private final Engine engine;
        private @Nullable ConfigSource source;
        private String keyPrefix = "/apisix";
        private final KeyRing.Builder keys = KeyRing.builder();
        private AllowAdmin allowAdmin = AllowAdmin.of(DEFAULT_ALLOW_ADMIN);
        private boolean acceptMissingKey;

        private Builder(Engine engine) {
            this.engine = engine;
        }

        /**
         * Where writes go: a started {@link ConfigSource} feeding this engine (etcd, say). Reads
         * come from the engine. Default: the engine's own store ({@link ConfigSource#memory()}).
         */
        public Builder source(ConfigSource source) {
            this.source = requireNonNull(source, "source");
            return this;
        }

        /**
         * The prefix of the {@code key} in answers ({@code /apisix/routes/1}): APISIX shows the etcd
         * key, so with {@code deployment.etcd.prefix: /gw} it is {@code /gw/routes/1}. Default
         * {@code /apisix}.
         */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * Adds a key (APISIX's {@code deployment.admin.admin_key[]}). Only its SHA-256 digest is kept.
         *
         * @throws IllegalArgumentException on an empty name or key, or a name or key used twice
         */
        public Builder adminKey(String name, String key, Role role) {
            keys.add(requireNonNull(name, "name"), requireNonNull(key, "key"), requireNonNull(role, "role"));
            return this;
        }

        /**
         * The clients allowed, as IPv4 or IPv6 addresses or CIDRs (APISIX's
         * {@code deployment.admin.allow_admin}); default {@link #DEFAULT_ALLOW_ADMIN}. An empty list
         * allows nobody, as in APISIX.
         *
         * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
         */
        public Builder allowAdmin(List<String> cidrs) {
            this.allowAdmin = AllowAdmin.of(requireNonNull(cidrs, "cidrs"));
            return this;
        }

        /** Allows every client address (APISIX without {@code allow_admin}). */
        public Builder allowAdminFromAnywhere() {
            this.allowAdmin = AllowAdmin.any();
            return this;
        }

        /**
         * Whether a request without a key is served as admin (APISIX's
         * {@code admin_key_required: false}). Default {@code false}: never.
         */
        public Builder acceptMissingKey(boolean accept) {
            this.acceptMissingKey = accept;
            return this;
        }

        /**
         * Builds the Admin API.
         *
         * @throws IllegalStateException when no key is configured and missing keys are not accepted,
         *         since every request would then be refused
         */
        public AdminApi build() {
            if (keys.build().isEmpty() && !acceptMissingKey) {
                throw new IllegalStateException("adminKey: none (expected: at least one key, or "
                        + "acceptMissingKey(true) to serve requests without a key)");
            }
            if (source == null) {
                source = ConfigSource.memory();
                source.start(engine);
            }
            return new AdminApi(this);
        }
    }
}
