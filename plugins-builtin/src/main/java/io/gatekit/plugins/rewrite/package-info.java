/**
 * {@code proxy-rewrite} and {@code response-rewrite}: change the request on its way to the
 * upstream, and the response on its way to the client, as APISIX's plugins of the same names.
 */
@NonNullByDefault
package io.gatekit.plugins.rewrite;

import io.gatekit.api.NonNullByDefault;
