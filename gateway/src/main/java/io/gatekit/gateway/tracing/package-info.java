/**
 * The gateway's tracing: APISIX's {@code opentelemetry} plugin, exporting OTLP over HTTP as
 * {@code plugin_attr.opentelemetry} says.
 */
@NonNullByDefault
package io.gatekit.gateway.tracing;

import io.gatekit.api.NonNullByDefault;
