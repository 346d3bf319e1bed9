package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.util.List;

/**
 * {@code POST /apisix/admin/schema/validate/{res}}: a dry run of a resource through the engine's
 * full check (plugins and references included); 200 with no body when it would be accepted, else
 * 400 with every violation. Nothing is stored.
 */
final class SchemaEndpoint implements AdminService {

    private final Engine engine;

    SchemaEndpoint(Engine engine) {
        this.engine = engine;
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        String method = call.method();
        List<String> rest = call.rest();
        if (rest.size() != 2 || !rest.get(0).equals("validate")) {
            throw AdminError.of(404, "not found");
        }
        if (!method.equals("POST")) {
            throw AdminError.notSupported(method, "schema validation");
        }
        ResourceKind kind = ResourceKind.ofPath(rest.get(1));
        if (kind == null) {
            throw AdminError.of(404, "Unsupported resource type: " + rest.get(1));
        }
        JsonNode body = Json.body(call.body());
        if (body == null) {
            throw AdminError.missingConfigurations();
        }
        List<Violation> violations = engine.validate(kind, body.toString());
        if (violations.isEmpty()) {
            return AdminResponse.empty(200);
        }
        return AdminResponse.json(400, Json.error(dryRunMessage(violations.get(0)), violations));
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
}
