package io.gatekit.gateway.admin;

/**
 * Picks the endpoint by the first segment under {@code /apisix/admin}: {@code plugins} (and
 * {@code schema/plugins}), {@code schema}, {@code explain}, else a resource kind. {@code HEAD /apisix/admin} is the
 * liveness probe: 200, empty, as APISIX.
 */
final class AdminRouter implements AdminService {

    private final AdminService resources;
    private final AdminService plugins;
    private final AdminService schema;
    private final AdminService explain;

    AdminRouter(AdminService resources, AdminService plugins, AdminService schema, AdminService explain) {
        this.resources = resources;
        this.plugins = plugins;
        this.schema = schema;
        this.explain = explain;
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        if (call.segments().isEmpty()) {
            if (call.method().equals("HEAD")) {
                return AdminResponse.empty(200);
            }
            throw AdminError.of(404, "not found");
        }
        return switch (call.segments().get(0)) {
            case "plugins" -> plugins.serve(call);
            case "schema" -> call.segments().size() > 1 && call.segments().get(1).equals("plugins")
                    ? plugins.serve(call.shifted()) // APISIX's /schema/plugins/<name>, as /plugins/<name>
                    : schema.serve(call);
            case "explain" -> explain.serve(call);
            default -> resources.serve(call);
        };
    }
}
