package io.gatekit.plugins.limit;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.plugins.support.VarTemplate;

/**
 * What a request is counted under, from {@code key} and {@code key_type} as APISIX reads them:
 * {@code var} names one request variable, {@code var_combination} is a template of several
 * ({@code "$remote_addr $http_x_user"}, unset when none of them is set), {@code constant} is the
 * key itself. An unset key falls back to the client address, as in APISIX.
 */
final class LimitKey {

    private final String type;
    private final String key;
    private final VarTemplate template;

    private LimitKey(String type, String key) {
        this.type = type;
        this.key = key;
        this.template = VarTemplate.parse(key);
    }

    /**
     * The key of a config. {@code consumer_name} is the consumer an authentication plugin
     * attached; a request without one is counted under its client address, as in APISIX.
     */
    static LimitKey of(String type, String key) {
        return new LimitKey(type, key);
    }

    /** The key {@code exchange} is counted under. */
    String of(Exchange exchange) {
        String value = switch (type) {
            case "constant" -> key;
            case "var_combination" -> combined(exchange);
            default -> exchange.var(key);
        };
        if (value == null) {
            value = exchange.var("remote_addr");
        }
        return value == null ? "" : value;
    }

    /** The template resolved, or null when none of its variables is set, as APISIX's {@code n_resolved == 0}. */
    private @Nullable String combined(Exchange exchange) {
        int[] resolved = new int[1];
        String value = template.resolve(exchange, null, resolved);
        return resolved[0] == 0 ? null : value;
    }
}
