/**
 * Cases a host runs against its own transport to show it drives the engine as the contract
 * says: extend {@link io.gatekit.testkit.host.HostConformance}.
 */
@NonNullByDefault
package io.gatekit.testkit.host;

import io.gatekit.api.NonNullByDefault;
