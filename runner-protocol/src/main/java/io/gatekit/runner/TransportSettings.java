package io.gatekit.runner;

import java.nio.file.Path;

/**
 * Where the runner is and the limits of the {@link RunnerIo} transport.
 *
 * @param socketPath         the runner's socket
 * @param connectTimeoutNanos how long connecting may take
 * @param sendTimeoutNanos   how long the rest of a frame the socket had no room for may take
 * @param readTimeoutNanos   how long the runner may take for each frame of its answer
 * @param idleTimeoutNanos   how long an idle connection is kept
 * @param maxPayload         the largest payload sent or accepted
 * @param maxIdle            how many idle connections are kept
 * @param maxInFlight        how many RPCs are out at once
 */
record TransportSettings(Path socketPath, long connectTimeoutNanos, long sendTimeoutNanos, long readTimeoutNanos,
        long idleTimeoutNanos, int maxPayload, int maxIdle, int maxInFlight) {
}
