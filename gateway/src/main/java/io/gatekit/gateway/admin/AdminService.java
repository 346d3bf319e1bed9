package io.gatekit.gateway.admin;

/**
 * Answers one {@link AdminCall}: an endpoint, the router over them, or {@link AdminAccess} around
 * the router. Errors leave as {@link AdminError} or {@link io.gatekit.engine.ConfigException}, which
 * {@link AdminApi#handle} turns into answers.
 */
@FunctionalInterface
interface AdminService {

    /** The answer to {@code call}. */
    AdminResponse serve(AdminCall call);
}
