/**
 * {@link io.gatekit.engine.Engine#serve}: one request driven through a host's
 * {@link io.gatekit.engine.host.Transport} ({@link io.gatekit.engine.internal.host.CallDriver}), and
 * the streaming bodies it hands around ({@link io.gatekit.engine.internal.host.Bodies}).
 */
@NonNullByDefault
package io.gatekit.engine.internal.host;

import io.gatekit.api.NonNullByDefault;
