package io.gatekit.engine.internal.expr;

/**
 * Looks up request variables by their APISIX/nginx names ({@code uri}, {@code host}, {@code arg_x},
 * {@code http_x_api_version}, {@code cookie_x}, {@code remote_addr}, {@code request_method},
 * {@code status}, {@code upstream_status}, ...). Returns {@code null} when the variable is not set.
 */
@FunctionalInterface
public interface VarSource {
    /** The value of variable {@code name}, or {@code null} when it is unset. */
    String var(String name);
}
