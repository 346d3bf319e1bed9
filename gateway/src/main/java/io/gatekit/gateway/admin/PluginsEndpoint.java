package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.Engine;
import io.gatekit.engine.PluginInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code /apisix/admin/plugins} (and APISIX's {@code /schema/plugins}): the names of the engine's
 * plugins ({@code /plugins/list}), all of
 * them with their schemas ({@code ?all=true}), one plugin's schema ({@code /plugins/{name}}), and
 * APISIX's {@code PUT /plugins/reload}, which has nothing to reload in Gatekit.
 */
final class PluginsEndpoint implements AdminService {

    private final Engine engine;

    PluginsEndpoint(Engine engine) {
        this.engine = engine;
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        String method = call.method();
        List<String> rest = call.rest();
        QueryParams query = call.query();
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
            return AdminResponse.json(200, body);
        }
        if (!method.equals("GET")) {
            throw AdminError.notSupported(method, "plugins");
        }
        if (rest.isEmpty()) {
            if (!"true".equals(query.get("all"))) {
                throw AdminError.badRequest("not found plugin name", "", "required",
                        "no plugin name (expected: /apisix/admin/plugins/{name}, /plugins/list or /plugins?all=true)");
            }
            return AdminResponse.json(200, allPlugins());
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
            return AdminResponse.json(200, names);
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
            return AdminResponse.json(200, Json.parse(metadata));
        }
        if ("consumer".equals(schemaType)) {
            String consumer = plugin.get().consumerSchema();
            if (consumer == null) {
                throw AdminError.badRequest("not found schema", "", "schema_type",
                        "schema_type: consumer (expected: an authentication plugin)");
            }
            return AdminResponse.json(200, Json.parse(consumer));
        }
        return AdminResponse.json(200, Json.parse(plugin.get().schema()));
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
}
