/**
 * {@code limit-count} (a fixed window of requests per key) and {@code limit-req} (a leaky bucket
 * per key), as APISIX's plugins of the same names with their {@code local} policy: counters live
 * in the plugin instance, read time from {@link io.gatekit.api.PluginContext#clock()}, and are
 * dropped once they no longer change a decision.
 */
@NonNullByDefault
package io.gatekit.plugins.limit;

import io.gatekit.api.NonNullByDefault;
