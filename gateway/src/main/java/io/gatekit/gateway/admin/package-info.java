/**
 * The APISIX-compatible Admin API of the standalone gateway, independent of the transport.
 *
 * <p>Starting point: {@link io.gatekit.gateway.admin.AdminApi}, which turns one whole
 * {@link io.gatekit.gateway.admin.AdminRequest} into one whole
 * {@link io.gatekit.gateway.admin.AdminResponse}; the server decides how bytes get in and out.
 */
@NonNullByDefault
package io.gatekit.gateway.admin;

import io.gatekit.api.NonNullByDefault;
