/**
 * The host contract: what an application that embeds the engine implements to proxy requests, and
 * what the engine hands it. A host implements one method, {@link io.gatekit.engine.host.Transport#send},
 * and calls {@link io.gatekit.engine.Engine#serve} once per request; the engine runs the plugins,
 * picks the node, retries, applies {@code pass_host}, timeouts and hop-by-hop rules, filters the
 * response body and runs {@code log}.
 *
 * <pre>{@code
 * Transport transport = JdkTransport.create();                  // or the host's own client
 * engine.serve(request, Body.of(bytes), transport)
 *       .thenAccept(response -> write(response.status(), response.headers(), response.body()));
 * }</pre>
 *
 * <p>Streaming hosts that drive each step themselves use {@link io.gatekit.engine.Call}, which
 * exposes the same policy step by step ({@link io.gatekit.engine.Call#beforeProxy()},
 * {@link io.gatekit.engine.Call#upstreamFailed}).
 */
@NonNullByDefault
package io.gatekit.engine.host;

import io.gatekit.api.NonNullByDefault;
