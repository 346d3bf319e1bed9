package com.example.stamp;

import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;

/**
 * {@code header-stamp}: adds a header to the request sent upstream and to the response sent to
 * the client. An example of a custom plugin in its own jar, found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.gatekit.api.PluginFactory}. Extending {@link SimplePluginFactory}
 * gives the name, priority, schema and config type once, to the constructor.
 *
 * <pre>{@code
 * "plugins": {"header-stamp": {"name": "x-stamp", "value": "gatekit"}}
 * }</pre>
 */
public final class HeaderStampFactory extends SimplePluginFactory<HeaderStampFactory.Config> {

    /**
     * The plugin's config, bound from validated JSON.
     *
     * @param name     header name
     * @param value    header value
     * @param response whether to stamp the response too
     */
    public record Config(String name, String value, boolean response) {
    }

    /** Found by {@link java.util.ServiceLoader}: a public no-argument constructor. */
    public HeaderStampFactory() {
        super("header-stamp", 42, """
                {"type": "object",
                 "properties": {
                   "name": {"type": "string", "pattern": "^[A-Za-z0-9-]+$"},
                   "value": {"type": "string", "minLength": 1},
                   "response": {"type": "boolean", "default": true}
                 },
                 "required": ["name", "value"],
                 "additionalProperties": false}""", Config.class);
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        return new HeaderStampPlugin(config.name(), config.value(), config.response());
    }
}
