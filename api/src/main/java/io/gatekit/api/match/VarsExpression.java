package io.gatekit.api.match;

import io.gatekit.api.http.Exchange;

/**
 * An APISIX {@code vars} expression (lua-resty-expr), compiled: the same grammar and operators as
 * a route's {@code vars} and {@code _meta.filter} ({@code ==}, {@code ~=}, {@code >},
 * {@code ~~}, {@code IN}, {@code ipmatch}, {@code AND}/{@code OR} groups, ...), over the request
 * variables of {@link Exchange#var}.
 *
 * <p>Declare a config component of this type and the engine compiles the JSON array when it binds
 * the config; an invalid expression rejects the config with
 * {@code failed to validate the '<field>' expression: <reason>}, as APISIX says it:
 *
 * <pre>{@code
 * public record Config(@Nullable VarsExpression vars) {}
 *
 * public Completion headerFilter(Exchange exchange) {
 *     if (config.vars() == null || config.vars().test(exchange)) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #test} allocates nothing of its own.
 */
public interface VarsExpression {

    /**
     * {@return whether the request and response of {@code exchange}, as they are now, satisfy this expression}
     *
     * @param exchange the request being served
     */
    boolean test(Exchange exchange);
}
