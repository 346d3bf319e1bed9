package io.gatekit.plugins.ext;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import io.gatekit.runner.RunnerException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Why a runner call did not give an answer, and the status a fail-closed plugin answers with. */
enum Failure {
    /** No runner socket is configured for the plugin. */
    NOT_CONFIGURED("not_configured", 503, 503, "503 Service Unavailable: no ext-plugin runner configured"),
    /** The runner could not be reached (nothing listening, connect timeout, client closed). */
    UNAVAILABLE("unavailable", 503, 503, "503 Service Unavailable: ext-plugin runner unavailable"),
    /** The call failed: broken connection, protocol error, runner error frame, bad answer. */
    ERROR("error", 503, 503, "503 Service Unavailable: ext-plugin runner failed"),
    /** The call took longer than {@code timeout} (or a frame longer than the client's timeouts). */
    TIMEOUT("timeout", 504, 504, "504 Gateway Time-out: ext-plugin runner timed out"),
    /** The runner asked for a body larger than the limit: 413 for a request, 502 for a response. */
    BODY_TOO_LARGE("body_too_large", 413, 502, "body too large for the ext-plugin runner");

    private final String label;
    private final int requestStatus;
    private final int responseStatus;
    private final String message;

    Failure(String label, int requestStatus, int responseStatus, String message) {
        this.label = label;
        this.requestStatus = requestStatus;
        this.responseStatus = responseStatus;
        this.message = message;
    }

    /** The {@code result} label of the metrics. */
    String label() {
        return label;
    }

    /** The status a fail-closed plugin answers with; {@code response} for post-resp. */
    int status(boolean response) {
        return response ? responseStatus : requestStatus;
    }

    /** The JSON error body, engine style. */
    byte[] body(boolean response) {
        String text = this == BODY_TOO_LARGE
                ? (response ? "502 Bad Gateway: upstream " : "413 Request Entity Too Large: request ") + message
                : message;
        return JsonText.errorBody(text);
    }

    /** A fresh error response. */
    HttpResponse response(boolean response) {
        return HttpResponse.of(status(response), HttpHeaders.of("content-type", "application/json"), body(response));
    }

    /** Classifies what a runner call failed with. */
    static Failure of(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof BodyTooLargeException) {
            return BODY_TOO_LARGE;
        }
        if (e instanceof RunnerException runner) {
            return switch (runner.kind()) {
                case CONNECT, CLOSED -> UNAVAILABLE;
                case TIMEOUT -> TIMEOUT;
                case HANDLER -> runner.getCause() instanceof BodyTooLargeException ? BODY_TOO_LARGE : ERROR;
                default -> ERROR;
            };
        }
        return ERROR;
    }

    /** The exception itself, out of the wrappers futures put around it. */
    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
