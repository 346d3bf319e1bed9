/** {@code ip-restriction}: allow or deny clients by address and CIDR block, as APISIX's plugin. */
@NonNullByDefault
package io.gatekit.plugins.ip;

import io.gatekit.api.NonNullByDefault;
