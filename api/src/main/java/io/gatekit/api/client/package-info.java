/**
 * The outbound HTTP client SPI that plugins use to send requests of their own.
 *
 * <p>Starting points: {@link io.gatekit.api.client.HttpClient},
 * {@link io.gatekit.api.client.OutboundRequest}.
 */
@NonNullByDefault
package io.gatekit.api.client;

import io.gatekit.api.NonNullByDefault;
