/**
 * Micrometer metrics for the Gatekit engine. Starting point:
 * {@link io.gatekit.micrometer.GatekitMicrometer}.
 */
@NonNullByDefault
package io.gatekit.micrometer;

import io.gatekit.api.NonNullByDefault;
