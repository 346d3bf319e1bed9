package io.gatekit.runner;

/**
 * How a runner connection broke, as far as that tells whether the runner read the RPC on it: the
 * lost-call rule of the {@link RunnerIo} transport, which sends an RPC once more, on a new
 * connection, only when the runner cannot have acted on it.
 */
enum Breakage {
    /** Writing the RPC's frame failed: the runner never had it whole. */
    SEND_FAILED,
    /** The runner reset the connection: it closed it with bytes of ours unread. */
    RESET,
    /** The runner closed the connection after reading everything that had reached it. */
    END_OF_STREAM,
    /** Anything else: a timeout, a bad frame, a failing handler, a close on this side. */
    OTHER;

    /**
     * Whether the runner cannot have acted on {@code rpc}: nothing of an answer (nor a question)
     * came back, and the frame never left whole, or the runner reset the connection with it unread,
     * or the runner read it but may get it twice ({@code PrepareConf}).
     */
    boolean leftUnprocessed(RpcConnection connection, RunnerRpc<?> rpc) {
        if (connection.sendFailed) {
            return true; // whatever broke the connection first, the runner never had the frame whole
        }
        if (connection.received) {
            return false;
        }
        return switch (this) {
            case SEND_FAILED, RESET -> true;
            case END_OF_STREAM -> connection.unsent != null || rpc.idempotent();
            case OTHER -> false;
        };
    }
}
