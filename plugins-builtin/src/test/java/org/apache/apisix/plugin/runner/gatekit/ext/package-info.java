/**
 * Runner filters of gatekit-plugins-builtin's ext-plugin tests, beyond runner-protocol's conformance
 * filters. The released Java Plugin Runner finds them by component scan under
 * {@code org.apache.apisix.plugin.runner} when started with this module's test classes on its
 * {@code -Dloader.path}; {@code io.gatekit.plugins.ext.SlowPlugin} is the RunnerServer twin.
 */
package org.apache.apisix.plugin.runner.gatekit.ext;
