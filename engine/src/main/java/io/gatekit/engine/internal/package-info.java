/**
 * The engine's implementation: config state and snapshots, plugin registry and instances, the
 * call that runs the phases. Nothing here is API; types are public only where another internal
 * package needs them.
 */
@NonNullByDefault
package io.gatekit.engine.internal;

import io.gatekit.api.NonNullByDefault;
