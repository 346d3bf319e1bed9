/**
 * The Gatekit plugin SPI: what a plugin author implements.
 *
 * <p>Starting points:
 * <ul>
 *   <li>{@link io.gatekit.api.PluginFactory}: found by {@link java.util.ServiceLoader}; declares
 *       name, priority and config schema, and creates plugin instances.</li>
 *   <li>{@link io.gatekit.api.Plugin}: an instance bound to one validated config; implements only
 *       the {@link io.gatekit.api.Phase phases} it needs.</li>
 *   <li>{@link io.gatekit.api.Outcome}: what a request phase returns: proceed, respond, or later.</li>
 *   <li>{@link io.gatekit.api.http.Exchange}: the request, its upstream and its response.</li>
 * </ul>
 */
@NonNullByDefault
package io.gatekit.api;
