/**
 * What several built-in plugins share: APISIX's {@code $var} templates ({@link
 * io.gatekit.plugins.support.VarTemplate}) and header operations ({@link
 * io.gatekit.plugins.support.HeaderOps}); JSON text is {@link io.gatekit.api.http.JsonText}.
 * Public only so the plugin packages can reach it; not an API for other plugins.
 */
@NonNullByDefault
package io.gatekit.plugins.support;

import io.gatekit.api.NonNullByDefault;
