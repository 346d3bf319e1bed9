package io.gatekit.runner;

import java.util.Objects;

/**
 * A runner call failed. {@link #kind()} says how; for {@link Kind#RUNNER_ERROR},
 * {@link #runnerCode()} carries the runner's error code.
 */
public final class RunnerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Error code {@code BAD_REQUEST}: the runner could not understand the request. */
    public static final int BAD_REQUEST = 0;
    /** Error code {@code SERVICE_UNAVAILABLE}: the runner failed while handling the request. */
    public static final int SERVICE_UNAVAILABLE = 1;
    /** Error code {@code CONF_TOKEN_NOT_FOUND}: the runner does not know the conf token. */
    public static final int CONF_TOKEN_NOT_FOUND = 2;

    /** How a call failed. */
    public enum Kind {
        /** No connection could be made: no runner listening, or not in time. */
        CONNECT,
        /** Sending or reading took longer than its timeout. */
        TIMEOUT,
        /** The connection broke, e.g. the runner closed it or died. */
        IO,
        /** The peer broke the protocol: bad frame, unexpected type, undecodable or too large payload. */
        PROTOCOL,
        /** The runner answered with an error frame; see {@link #runnerCode()}. */
        RUNNER_ERROR,
        /** The caller's {@link ExtraInfoHandler} (or, runner side, a plugin) failed. */
        HANDLER,
        /** The client or server is closed. */
        CLOSED
    }

    private final Kind kind;
    private final int runnerCode;

    public RunnerException(Kind kind, String message) {
        this(kind, message, null);
    }

    public RunnerException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.runnerCode = -1;
    }

    private RunnerException(int runnerCode) {
        super("runner error: " + codeText(runnerCode));
        this.kind = Kind.RUNNER_ERROR;
        this.runnerCode = runnerCode;
    }

    /** The exception for an error frame with that code. */
    public static RunnerException runnerError(int code) {
        return new RunnerException(code);
    }

    public Kind kind() {
        return kind;
    }

    /** The runner's error code for {@link Kind#RUNNER_ERROR}, otherwise -1. */
    public int runnerCode() {
        return runnerCode;
    }

    /** Whether the runner said it does not know the conf token, the one error worth a retry. */
    public boolean isConfTokenNotFound() {
        return kind == Kind.RUNNER_ERROR && runnerCode == CONF_TOKEN_NOT_FOUND;
    }

    /** APISIX's wording of an error code. */
    static String codeText(int code) {
        switch (code) {
            case BAD_REQUEST:
                return "bad request";
            case SERVICE_UNAVAILABLE:
                return "service unavailable";
            case CONF_TOKEN_NOT_FOUND:
                return "conf token not found";
            default:
                return "unknown err " + code;
        }
    }
}
