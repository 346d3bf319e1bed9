/**
 * TLS material of the {@code ssls} resource, read with the JDK alone: {@link io.gatekit.engine.tls.Pem}
 * parses certificates and private keys; the engine checks every {@code ssls} resource with it, and a
 * host that terminates TLS (the gateway) builds its contexts from what it returns.
 */
@NonNullByDefault
package io.gatekit.engine.tls;

import io.gatekit.api.NonNullByDefault;
