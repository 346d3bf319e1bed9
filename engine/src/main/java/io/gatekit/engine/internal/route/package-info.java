/**
 * The route matcher: {@link io.gatekit.engine.internal.route.Router} finds the route for a
 * request among {@link io.gatekit.engine.internal.route.RouteSpec}s with the semantics of
 * APISIX's {@code radixtree_uri_with_parameter} router (lua-resty-radixtree), and returns a
 * {@link io.gatekit.engine.internal.route.Match}.
 */
@NonNullByDefault
package io.gatekit.engine.internal.route;

import io.gatekit.api.NonNullByDefault;
