/**
 * The ext-plugin family: {@code ext-plugin-pre-req}, {@code ext-plugin-post-req} and
 * {@code ext-plugin-post-resp}, which hand requests and responses to an external Plugin Runner
 * over APISIX's ext-plugin protocol, compatible with APISIX's plugins of the same names.
 *
 * <p>Starting points: {@link io.gatekit.plugins.ext.ExtPluginPreReqFactory} (config, node
 * attributes, failure modes) and {@link io.gatekit.plugins.ext.ExtPluginPostRespFactory} (the
 * response side). Everything else is package-private.
 */
@NonNullByDefault
package io.gatekit.plugins.ext;

import io.gatekit.api.NonNullByDefault;
