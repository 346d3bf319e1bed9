/**
 * Upstream policy: node choice (balancers), retries and timeouts, and active and passive health
 * checks.
 */
@NonNullByDefault
package io.gatekit.engine.internal.upstream;

import io.gatekit.api.NonNullByDefault;
