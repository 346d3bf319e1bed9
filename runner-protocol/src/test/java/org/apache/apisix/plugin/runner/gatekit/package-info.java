/**
 * Conformance filters for the released APISIX Java Plugin Runner. The runner finds them by
 * component scan under {@code org.apache.apisix.plugin.runner} when started with
 * {@code -Dloader.path=target/test-classes}; {@code io.gatekit.runner.TestPlugins} gives
 * {@code RunnerServer} plugins of the same names and behaviour, so one suite runs against both.
 */
package org.apache.apisix.plugin.runner.gatekit;
