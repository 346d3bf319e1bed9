package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.util.List;
import java.util.Optional;

/**
 * {@code /apisix/admin/{res}[/{id}[/{sub/path}]]}: reads, lists, creates, replaces, patches and
 * deletes the resources of one {@link ResourceKind}, with APISIX's bodies and errors. Reads come
 * from the {@link Engine}, writes go through the {@link ConfigSource}; answers show the store key
 * under {@code keyPrefix}, secrets redacted.
 */
final class ResourceEndpoint implements AdminService {

    private final Engine engine;
    private final ConfigSource source;
    private final String keyPrefix;

    ResourceEndpoint(Engine engine, ConfigSource source, String keyPrefix) {
        this.engine = engine;
        this.source = source;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        ResourceKind kind = ResourceKind.ofPath(call.segments().get(0));
        if (kind == null) {
            throw AdminError.of(404, "Unsupported resource type: " + call.segments().get(0));
        }
        String method = call.method();
        List<String> rest = call.rest();
        QueryParams query = call.query();
        byte[] rawBody = call.body();
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
                return id == null ? list(kind, query) : get(kind, id);
            case "PUT":
                return put(kind, id, body);
            case "POST":
                return post(kind, id, body);
            case "PATCH":
                return patch(kind, id, subPath, body);
            case "DELETE":
                return delete(kind, id, query);
            default:
                throw AdminError.notSupported(method, apisixKind(kind));
        }
    }

    private AdminResponse list(ResourceKind kind, QueryParams query) {
        List<Resource> resources = engine.list(kind).stream().map(engine::redact).toList();
        return AdminResponse.json(200, Listing.render(resources, query, keyPrefix));
    }

    private AdminResponse get(ResourceKind kind, String id) {
        Optional<Resource> found = engine.get(kind, id);
        if (found.isEmpty()) {
            return keyNotFound();
        }
        return AdminResponse.json(200, Json.single(engine.redact(found.get()), keyPrefix));
    }

    private AdminResponse put(ResourceKind kind, @Nullable String pathId, @Nullable JsonNode body) {
        if (body == null) {
            throw AdminError.missingConfigurations();
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
        return AdminResponse.json(stored.createdIndex() == stored.modifiedIndex() ? 201 : 200,
                Json.single(engine.redact(stored), keyPrefix));
    }

    private AdminResponse post(ResourceKind kind, @Nullable String pathId, @Nullable JsonNode body) {
        if (kind == ResourceKind.PLUGIN_CONFIGS || kind == ResourceKind.GLOBAL_RULES
                || kind == ResourceKind.PLUGIN_METADATA || kind == ResourceKind.CONSUMERS
                || kind == ResourceKind.CONSUMER_GROUPS) {
            throw AdminError.notSupported("POST", apisixKind(kind));
        }
        if (body == null) {
            throw AdminError.missingConfigurations();
        }
        boolean bodyId = body.isObject() && body.hasNonNull("id");
        if (pathId != null || bodyId) {
            throw AdminError.badRequest("wrong " + apisixKind(kind) + " id, do not need it", bodyId ? "/id" : "",
                    "not", "POST creates under a generated id (expected: no id; use PUT /apisix/admin/"
                            + kind.path() + "/{id} to choose one)");
        }
        Resource stored = source.create(kind, body.toString());
        return AdminResponse.json(201, Json.single(engine.redact(stored), keyPrefix));
    }

    private AdminResponse patch(ResourceKind kind, @Nullable String id, List<String> subPath,
            @Nullable JsonNode body) {
        if (kind == ResourceKind.PLUGIN_METADATA || kind == ResourceKind.CONSUMERS) {
            throw AdminError.notSupported("PATCH", apisixKind(kind));
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
        return AdminResponse.json(200, Json.single(engine.redact(stored), keyPrefix));
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
        return AdminResponse.json(200, body);
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

    /** APISIX's 404 body for a missing key, straight from its etcd layer. */
    private static AdminResponse keyNotFound() {
        ObjectNode body = Json.object();
        body.put("message", "Key not found");
        return AdminResponse.json(404, body);
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
}
