/**
 * The data plane's access log ({@code nginx_config.http.enable_access_log}, {@code access_log},
 * {@code access_log_format}): lines in an nginx {@code log_format}, formatted when a request ends
 * and written by {@link io.gatekit.gateway.accesslog.AccessLogWriter} on a thread of its own.
 */
@NonNullByDefault
package io.gatekit.gateway.accesslog;

import io.gatekit.api.NonNullByDefault;
