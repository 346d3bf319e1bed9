/** {@code cors}: Cross-Origin Resource Sharing headers and preflight answers, as APISIX's plugin. */
@NonNullByDefault
package io.gatekit.plugins.cors;

import io.gatekit.api.NonNullByDefault;
