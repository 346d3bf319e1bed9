/**
 * The transport-neutral exchange model: request, response, headers, query arguments and the
 * upstream target. Nothing here names a server library; hosts translate to and from it.
 *
 * <p>Starting points: {@link io.gatekit.api.http.Exchange}, {@link io.gatekit.api.http.HttpRequest},
 * {@link io.gatekit.api.http.HttpResponse}, {@link io.gatekit.api.http.HttpHeaders}.
 */
@NonNullByDefault
package io.gatekit.api.http;

import io.gatekit.api.NonNullByDefault;
