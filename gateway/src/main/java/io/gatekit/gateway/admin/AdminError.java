package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Violation;
import java.util.List;

/**
 * Ends the handling of a request early with an error answer; caught by {@link AdminApi#handle}.
 * A 400 always carries violations: when the caller names none, the error itself is one.
 */
final class AdminError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorMsg;
    private final List<Violation> violations;
    private final @Nullable String description;

    private AdminError(int status, String errorMsg, List<Violation> violations, @Nullable String description) {
        super(errorMsg, null, false, false);
        this.status = status;
        this.errorMsg = errorMsg;
        this.violations = List.copyOf(violations);
        this.description = description;
    }

    /** A 400 whose one violation is at {@code pointer}, broke {@code keyword}, and says {@code message}. */
    static AdminError badRequest(String errorMsg, String pointer, String keyword, String message) {
        return new AdminError(400, errorMsg, List.of(new Violation(pointer, keyword, message)), null);
    }

    /** An error other than 400, with {@code {"error_msg": ...}} only. */
    static AdminError of(int status, String errorMsg) {
        if (status == 400) {
            return badRequest(errorMsg, "", "request", errorMsg);
        }
        return new AdminError(status, errorMsg, List.of(), null);
    }

    /** APISIX's 401: {@code {"error_msg": "failed to check token", "description": <why>}}. */
    static AdminError unauthorized(String description) {
        return new AdminError(401, "failed to check token", List.of(), description);
    }

    /** APISIX's 405: {@code not supported `POST` method for global rule}. */
    static AdminError notSupported(String method, String what) {
        return of(405, "not supported `" + method + "` method for " + what);
    }

    /** APISIX's 400 for a write without a body. */
    static AdminError missingConfigurations() {
        return badRequest("missing configurations", "", "required",
                "the request body is empty (expected: the resource as a JSON object)");
    }

    int status() {
        return status;
    }

    String errorMsg() {
        return errorMsg;
    }

    List<Violation> violations() {
        return violations;
    }

    @Nullable String description() {
        return description;
    }
}
