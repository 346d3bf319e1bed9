package io.gatekit.engine;

/** Where a plugin's config on a route came from, lowest precedence last. */
public enum Origin {
    /** A global rule: runs in addition to route plugins, first in every phase. */
    GLOBAL_RULE("global_rule"),
    /** The consumer an authentication plugin identified: wins over every other level. */
    CONSUMER("consumer"),
    /** The {@code group_id} of that consumer. */
    CONSUMER_GROUP("consumer_group"),
    /** The route itself. */
    ROUTE("route"),
    /** The route's {@code plugin_config_id}. */
    PLUGIN_CONFIG("plugin_config"),
    /** The route's {@code service_id}. */
    SERVICE("service");

    private final String label;

    Origin(String label) {
        this.label = label;
    }

    /** The APISIX resource name, e.g. {@code plugin_config}. */
    public String label() {
        return label;
    }
}
