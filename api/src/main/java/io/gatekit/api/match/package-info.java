/**
 * Matching rules a plugin's config may hold, compiled by the engine when it binds the config:
 * {@link io.gatekit.api.match.VarsExpression} (APISIX {@code vars} expressions) and
 * {@link io.gatekit.api.match.IpSet} (addresses and CIDR blocks). Declare a config component of
 * one of these types and the engine turns the JSON into a ready matcher, or rejects the config
 * with the reason, before the plugin sees it; the rules are the engine's own, the same that route
 * {@code vars}, {@code _meta.filter} and {@code remote_addrs} follow.
 */
@NonNullByDefault
package io.gatekit.api.match;

import io.gatekit.api.NonNullByDefault;
