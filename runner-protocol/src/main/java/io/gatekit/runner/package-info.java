/**
 * APISIX's ext-plugin protocol: talk to an external Plugin Runner over a unix socket, or write one.
 *
 * <p>Client side (the role APISIX plays): {@link io.gatekit.runner.RunnerClient} sends
 * {@link io.gatekit.runner.HttpReqCall}s and {@link io.gatekit.runner.HttpRespCall}s, prepares and caches
 * conf tokens for {@link io.gatekit.runner.RunnerConf}s and answers the runner's
 * {@link io.gatekit.runner.ExtraInfo} questions through an {@link io.gatekit.runner.ExtraInfoHandler}.
 * {@link io.gatekit.runner.RunnerSupervisor} starts and restarts the runner process.
 *
 * <p>Runner side: {@link io.gatekit.runner.RunnerServer} dispatches calls to
 * {@link io.gatekit.runner.RunnerPlugin}s registered by name.
 *
 * <p>Nothing in this package accepts or returns {@code null} unless its Javadoc says so.
 */
package io.gatekit.runner;
