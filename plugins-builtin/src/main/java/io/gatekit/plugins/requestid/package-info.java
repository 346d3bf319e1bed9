/** {@code request-id}: a unique id per request, to the upstream and back to the client, as APISIX's plugin. */
@NonNullByDefault
package io.gatekit.plugins.requestid;

import io.gatekit.api.NonNullByDefault;
