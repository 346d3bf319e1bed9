package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.runner.RunnerClient;
import io.gatekit.runner.RunnerConf;
import java.lang.System.Logger;

/**
 * What one {@code ext-plugin-*} instance works with, resolved from its config and the node
 * attributes when it is created.
 *
 * @param pluginName       the plugin's name
 * @param owner            where the instance came from, e.g. {@code route 1}
 * @param conf             what the runner is asked to prepare
 * @param lease            the shared client, or {@code null} when no runner is configured
 * @param allowDegradation whether failures let the request go on unchanged
 * @param timeoutNanos     the deadline of one call
 * @param readRequestBody  whether the request body is buffered for the runner
 * @param respBodyLimit    the largest upstream body handed to the runner
 * @param headerMode       how post-resp applies the runner's headers
 * @param metrics          the instance's series
 * @param logger           the plugin's logger
 */
record ExtSetup(String pluginName, String owner, RunnerConf conf, RunnerClients.@Nullable Lease lease,
        boolean allowDegradation, long timeoutNanos, boolean readRequestBody, long respBodyLimit,
        HeaderMode headerMode, RunnerMetrics metrics, Logger logger) {

    /** The shared client, or {@code null} when no runner is configured. */
    @Nullable RunnerClient client() {
        return lease == null ? null : lease.client();
    }

    /** How the logs name this instance, e.g. {@code ext-plugin-pre-req of route 1}. */
    String who() {
        return pluginName + " of " + owner;
    }
}
