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

    /**
     * A variable that needs consumers, which Gatekit does not have yet: counting under it would
     * silently count per client address instead, so configs naming it are refused until it works.
     */
    static final String CONSUMER_NAME = "consumer_name";

    private final String type;
    private final String key;
    private final VarTemplate template;

    private LimitKey(String type, String key) {
        this.type = type;
        this.key = key;
        this.template = VarTemplate.parse(key);
    }

    /**
     * The key of a config.
     *
     * @throws IllegalArgumentException when it needs something Gatekit lacks ({@code consumer_name})
     */
    static LimitKey of(String type, String key) {
        boolean consumer = switch (type) {
            case "var" -> key.equals(CONSUMER_NAME);
            case "var_combination" -> key.contains("$" + CONSUMER_NAME) || key.contains("${" + CONSUMER_NAME);
            default -> false;
        };
        if (consumer) {
            throw new IllegalArgumentException("key: \"" + key + "\" (expected: a request variable other than"
                    + " consumer_name; consumers are not supported yet, so it would always fall back to remote_addr)");
        }
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
