/**
 * OpenTelemetry tracing for the Gatekit engine, on the OpenTelemetry API. Starting point:
 * {@link io.gatekit.opentelemetry.GatekitTracing}.
 */
@NonNullByDefault
package io.gatekit.opentelemetry;

import io.gatekit.api.NonNullByDefault;
