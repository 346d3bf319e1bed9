package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.engine.Origin;
import io.gatekit.engine.Violation;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.schema.ApisixErrors;
import io.gatekit.engine.internal.schema.SchemaResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks plugin configs ({@code "plugins": {...}} of any resource) and turns them into
 * {@link PluginEntry plugin entries}, creating instances or reusing the previous snapshot's ones
 * for configs that did not change.
 */
final class PluginConfs {

    private final PluginRegistry registry;
    private final HttpClient httpClient;
    private final Metrics metrics;
    private final Map<String, JsonNode> pluginAttributes;

    public PluginConfs(PluginRegistry registry, HttpClient httpClient, Metrics metrics,
            Map<String, JsonNode> pluginAttributes) {
        this.registry = registry;
        this.httpClient = httpClient;
        this.metrics = metrics;
        this.pluginAttributes = pluginAttributes;
    }

    /** The registry. */
    public PluginRegistry registry() {
        return registry;
    }

    /**
     * A plugin config after validation: the bound typed config and its {@code _meta}.
     *
     * @param plugin the registered plugin
     * @param json   the config with defaults applied
     * @param config the bound typed config
     * @param meta   the parsed {@code _meta}
     */
    public record Checked(RegisteredPlugin plugin, JsonNode json, @Nullable Object config, Meta meta) {
    }

    /**
     * Parsed {@code _meta}.
     *
     * @param disable       configured but skipped
     * @param priority      override, or {@code null}
     * @param filter        compiled filter, or {@code null}
     * @param filterText    its JSON, or {@code null}
     * @param errorResponse replacement body, or {@code null}
     * @param errorIsJson   whether the body is JSON
     */
    public record Meta(boolean disable, @Nullable Integer priority, @Nullable Expr filter,
            @Nullable String filterText, byte @Nullable [] errorResponse, boolean errorIsJson) {
        static final Meta NONE = new Meta(false, null, null, null, null, false);
    }

    /**
     * Checks every plugin of a {@code plugins} object; problems are added to {@code violations}
     * (pointers under {@code pointer}) and to {@code messages} (APISIX {@code error_msg} texts).
     *
     * @return the checked configs, in document order, for those without problems
     */
    public List<Checked> check(JsonNode plugins, String pointer, List<Violation> violations,
            List<String> messages) {
        return check(plugins, pointer, violations, messages, false);
    }

    /**
     * Checks the {@code plugins} of a consumer: an authentication plugin's config there holds
     * credentials, checked against its consumer schema and never bound nor created (its
     * {@link Checked#config()} is {@code null}); any other plugin is checked as on a route.
     */
    public List<Checked> checkConsumer(JsonNode plugins, String pointer, List<Violation> violations,
            List<String> messages) {
        return check(plugins, pointer, violations, messages, true);
    }

    private List<Checked> check(JsonNode plugins, String pointer, List<Violation> violations,
            List<String> messages, boolean consumer) {
        List<Checked> checked = new ArrayList<>();
        if (plugins == null || plugins.isNull() || plugins.isMissingNode()) {
            return checked;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = plugins.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Checked one = checkOne(field.getKey(), field.getValue(), pointer + "/" + escape(field.getKey()),
                    violations, messages, consumer);
            if (one != null) {
                checked.add(one);
            }
        }
        return checked;
    }

    private @Nullable Checked checkOne(String name, JsonNode conf, String pointer, List<Violation> violations,
            List<String> messages, boolean consumer) {
        RegisteredPlugin plugin = registry.get(name);
        if (plugin == null) {
            String msg = "unknown plugin [" + name + "]";
            violations.add(new Violation(pointer, "unknownPlugin", msg + suggestion(name)));
            messages.add(msg);
            return null;
        }
        if (!conf.isObject()) {
            String msg = "invalid plugin conf " + conf + " for plugin [" + name + "]";
            violations.add(new Violation(pointer, "type", msg + " (expected: a JSON object)"));
            messages.add(msg);
            return null;
        }
        if (consumer && plugin.factory().authenticates()) {
            return checkCredentials(plugin, conf, pointer, violations, messages);
        }
        SchemaResult result = plugin.schema().validateAndApplyDefaults(conf);
        // only a real true disables: asBoolean would read 7 or "true" as true and skip the checks
        JsonNode disable = conf.path("_meta").path("disable");
        boolean disabled = disable.isBoolean() && disable.booleanValue();
        if (!result.violations().isEmpty()) {
            if (disabled) {
                return new Checked(plugin, conf, null, new Meta(true, null, null, null, null, false));
            }
            result.violations().forEach(v -> violations.add(v.under(pointer)));
            messages.add(ApisixErrors.pluginError(name, result.violations()));
            return null;
        }
        int before = violations.size();
        Meta meta = parseMeta(name, result.document().path("_meta"), pointer, violations, messages);
        Object config = bind(plugin, result.document(), pointer, violations, messages);
        if (violations.size() > before) {
            return null;
        }
        return new Checked(plugin, result.document(), config, meta);
    }

    private static @Nullable Checked checkCredentials(RegisteredPlugin plugin, JsonNode conf, String pointer,
            List<Violation> violations, List<String> messages) {
        SchemaResult result = (plugin.consumerSchema() != null ? plugin.consumerSchema() : plugin.schema())
                .validateAndApplyDefaults(conf);
        if (!result.violations().isEmpty()) {
            result.violations().forEach(v -> violations.add(v.under(pointer)));
            messages.add(ApisixErrors.pluginError(plugin.name(), result.violations()));
            return null;
        }
        return new Checked(plugin, result.document(), null, Meta.NONE);
    }

    /** Whether {@code checked} holds a consumer's credentials for an authentication plugin: never run. */
    static boolean credentials(Checked checked) {
        return checked.config() == null && checked.plugin().factory().authenticates();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private @Nullable Object bind(RegisteredPlugin plugin, JsonNode json, String pointer,
            List<Violation> violations, List<String> messages) {
        PluginFactory factory = plugin.factory();
        try {
            Object config = ConfigBinder.bind(withoutMeta(json), factory.configType());
            factory.validate(config);
            return config;
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            violations.add(new Violation(pointer, "plugin", reason));
            messages.add("failed to check the configuration of plugin " + plugin.name() + " err: " + reason);
            return null;
        }
    }

    private static JsonNode withoutMeta(JsonNode json) {
        if (!json.has("_meta")) {
            return json;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = json.deepCopy();
        copy.remove("_meta");
        return copy;
    }

    private static Meta parseMeta(String name, JsonNode meta, String pointer, List<Violation> violations,
            List<String> messages) {
        if (meta.isMissingNode() || meta.isNull()) {
            return Meta.NONE;
        }
        Expr filter = null;
        String filterText = null;
        JsonNode filterNode = meta.get("filter");
        if (filterNode != null) {
            filterText = filterNode.toString();
            try {
                filter = Expr.compile(filterNode);
            } catch (IllegalArgumentException e) {
                String msg = "failed to validate the 'vars' expression: " + e.getMessage();
                violations.add(new Violation(pointer + "/_meta/filter", "filter", msg));
                messages.add("failed to check the configuration of plugin " + name + " err: " + msg);
            }
        }
        byte[] errorBody = null;
        boolean errorIsJson = false;
        JsonNode error = meta.get("error_response");
        if (error != null) {
            errorIsJson = !error.isTextual();
            errorBody = (error.isTextual() ? error.asText() : error.toString()).getBytes(StandardCharsets.UTF_8);
        }
        JsonNode priority = meta.get("priority");
        return new Meta(meta.path("disable").asBoolean(false),
                priority == null ? null : priority.asInt(), filter, filterText, errorBody, errorIsJson);
    }

    /**
     * The entry for a checked config owned by {@code origin originId}, reusing {@code previous}'s
     * instance when the same config of the same owner was already running.
     */
    public PluginEntry entry(Checked checked, Origin origin, String originId, Map<String, PluginInstance> previous,
            Map<String, PluginInstance> created, long metadataIndex, @Nullable JsonNode metadata) {
        StringBuilder text = new StringBuilder(256).append(origin.label()).append('/').append(originId).append('/')
                .append(checked.plugin().name()).append('#').append(metadataIndex).append('/');
        String key = keyText(checked.json(), text).toString();
        PluginInstance instance = created.get(key);
        if (instance == null) {
            instance = previous.get(key);
            if (instance == null || instance.isClosed()) {
                instance = create(checked, origin.label() + " " + originId, key, metadata);
            }
            created.put(key, instance);
        }
        Meta meta = checked.meta();
        int priority = meta.priority() != null ? meta.priority() : checked.plugin().info().priority();
        return new PluginEntry(instance, instance.plugin(), priority, origin, originId, meta.filter(), meta.filterText(),
                meta.errorResponse(), meta.errorIsJson());
    }

    /**
     * Appends {@code json} as JSON text: what {@code JsonNode.toString()} gives, without
     * Jackson's writer set-up per call, which cost a tenth of applying 10,000 routes. Only used
     * to tell configs apart, so it needs to be unambiguous, not pretty.
     */
    static StringBuilder keyText(JsonNode json, StringBuilder out) {
        if (json.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
            boolean first = true;
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                out.append(first ? "" : ",");
                first = false;
                quote(field.getKey(), out).append(':');
                keyText(field.getValue(), out);
            }
            return out.append('}');
        }
        if (json.isArray()) {
            out.append('[');
            for (int i = 0; i < json.size(); i++) {
                out.append(i == 0 ? "" : ",");
                keyText(json.get(i), out);
            }
            return out.append(']');
        }
        if (json.isTextual()) {
            return quote(json.textValue(), out);
        }
        return out.append(json.asText());
    }

    private static StringBuilder quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"');
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private PluginInstance create(Checked checked, String owner, String key, @Nullable JsonNode metadata) {
        RegisteredPlugin plugin = checked.plugin();
        DefaultPluginContext context = new DefaultPluginContext(plugin.name(), owner, httpClient, metrics,
                pluginAttributes.get(plugin.name()), metadata);
        PluginFactory factory = plugin.factory();
        Plugin created;
        try {
            created = factory.create(checked.config(), context);
        } catch (RuntimeException e) {
            context.shutdown();
            throw new PluginCreationException(plugin.name(), owner, e);
        }
        if (created == null) {
            context.shutdown();
            throw new PluginCreationException(plugin.name(), owner,
                    new NullPointerException(factory.getClass().getName() + ".create() returned null"));
        }
        return new PluginInstance(plugin.name(), key, created, context);
    }

    private String suggestion(String name) {
        String best = null;
        int bestDistance = 3;
        for (RegisteredPlugin known : registry.all()) {
            int d = distance(name, known.name());
            if (d < bestDistance) {
                bestDistance = d;
                best = known.name();
            }
        }
        return best == null ? "" : " (did you mean [" + best + "]?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** A plugin's {@code create} failed; the change is rejected. */
    public static final class PluginCreationException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String plugin;
        private final String owner;

        PluginCreationException(String plugin, String owner, Throwable cause) {
            super("plugin [" + plugin + "] of " + owner + " failed to start: " + cause.getMessage(), cause);
            this.plugin = plugin;
            this.owner = owner;
        }

        /** The plugin name. */
        public String plugin() {
            return plugin;
        }

        /** Its owner. */
        public String owner() {
            return owner;
        }
    }
}
