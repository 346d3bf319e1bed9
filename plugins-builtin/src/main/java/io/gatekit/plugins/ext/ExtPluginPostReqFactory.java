package io.gatekit.plugins.ext;

import io.gatekit.api.Plugin;

/**
 * {@code ext-plugin-post-req} (priority -3000, access phase): hands the request to an external
 * Plugin Runner after the other request plugins, as APISIX does. Config, attributes, answers and
 * failures as {@link ExtPluginPreReqFactory}.
 */
public final class ExtPluginPostReqFactory extends ExtPluginFactory {

    public ExtPluginPostReqFactory() {
        super("ext-plugin-post-req", -3000, false);
    }

    @Override
    Plugin newPlugin(ExtSetup setup) {
        return new PostReqPlugin(setup);
    }
}
