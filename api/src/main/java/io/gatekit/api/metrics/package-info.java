/**
 * Metrics a plugin records about its own work (the engine records per-plugin timings itself).
 *
 * <p>Starting point: {@link io.gatekit.api.metrics.Metrics}, from
 * {@link io.gatekit.api.PluginContext#metrics()}.
 */
@NonNullByDefault
package io.gatekit.api.metrics;

import io.gatekit.api.NonNullByDefault;
