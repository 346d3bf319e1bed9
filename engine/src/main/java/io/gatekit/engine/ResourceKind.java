package io.gatekit.engine;

import io.gatekit.api.Nullable;

/** The kinds of config resources, named as in APISIX's Admin API paths. */
public enum ResourceKind {
    ROUTES("routes", "route"),
    SERVICES("services", "service"),
    UPSTREAMS("upstreams", "upstream"),
    PLUGIN_CONFIGS("plugin_configs", "plugin_config"),
    GLOBAL_RULES("global_rules", "global_rule"),
    PLUGIN_METADATA("plugin_metadata", "plugin_metadata"),
    /** Callers identified by an authentication plugin; the id is the {@code username}. */
    CONSUMERS("consumers", "consumer"),
    /** Plugin sets shared by the consumers that name the group in {@code group_id}. */
    CONSUMER_GROUPS("consumer_groups", "consumer_group"),
    /** TLS certificates by SNI, served by a host that terminates TLS (the gateway). */
    SSLS("ssls", "ssl");

    private final String path;
    private final String singular;

    ResourceKind(String path, String singular) {
        this.path = path;
        this.singular = singular;
    }

    /** The path segment, e.g. {@code routes}; also the key in a standalone config file. */
    public String path() {
        return path;
    }

    /** The singular name used in messages, e.g. {@code route}. */
    public String singular() {
        return singular;
    }

    /** The key in the config store, e.g. {@code /apisix/routes/1}. */
    public String storeKey(String id) {
        return "/apisix/" + path + "/" + id;
    }

    /** The kind whose path is {@code path}, or {@code null}. */
    public static @Nullable ResourceKind ofPath(String path) {
        for (ResourceKind kind : values()) {
            if (kind.path.equals(path)) {
                return kind;
            }
        }
        return null;
    }
}
