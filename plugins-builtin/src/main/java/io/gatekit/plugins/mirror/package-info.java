/**
 * The {@code proxy-mirror} plugin: sends a fire-and-forget copy of each sampled request to one or
 * more mirror hosts, compatible with APISIX's plugin of the same name.
 *
 * <p>Starting point: {@link io.gatekit.plugins.mirror.ProxyMirrorFactory}. Everything else is
 * package-private.
 */
@NonNullByDefault
package io.gatekit.plugins.mirror;

import io.gatekit.api.NonNullByDefault;
