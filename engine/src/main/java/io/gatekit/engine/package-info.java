/**
 * The engine a host embeds: {@link io.gatekit.engine.Engine} (built once, with its plugins),
 * its config ({@link io.gatekit.engine.Resource}, {@link io.gatekit.engine.ConfigSource},
 * {@link io.gatekit.engine.StandaloneConfig}) and one request's {@link io.gatekit.engine.Call}.
 */
@NonNullByDefault
package io.gatekit.engine;

import io.gatekit.api.NonNullByDefault;
