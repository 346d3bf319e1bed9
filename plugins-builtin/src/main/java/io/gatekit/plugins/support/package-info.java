/**
 * What several built-in plugins share: APISIX's {@code $var} templates ({@link
 * io.gatekit.plugins.support.VarTemplate}), header operations ({@link
 * io.gatekit.plugins.support.HeaderOps}) and JSON text ({@link io.gatekit.plugins.support.Json}).
 * Public only so the plugin packages can reach it; not an API for other plugins.
 */
@NonNullByDefault
package io.gatekit.plugins.support;

import io.gatekit.api.NonNullByDefault;
