package io.gatekit.plugins.support;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;

/**
 * Header changes as APISIX's {@code proxy-rewrite} and {@code response-rewrite} make them: every
 * {@code add} first, then every {@code set}, then every {@code remove}, each value a
 * {@link VarTemplate} resolved per request. Built once from the config; immutable.
 */
public final class HeaderOps {

    private static final HeaderOps NONE = new HeaderOps(List.of(), List.of(), List.of(), false);

    private record Op(String name, VarTemplate[] values) {
    }

    private final List<Op> add;
    private final List<Op> set;
    private final List<String> remove;
    private final boolean emptySetRemoves;

    private HeaderOps(List<Op> add, List<Op> set, List<String> remove, boolean emptySetRemoves) {
        this.add = add;
        this.set = set;
        this.remove = remove;
        this.emptySetRemoves = emptySetRemoves;
    }

    /** No change at all. */
    public static HeaderOps none() {
        return NONE;
    }

    /** A builder; operations keep the order they are given in, within their kind. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return add.isEmpty() && set.isEmpty() && remove.isEmpty();
    }

    /**
     * Applies the changes to {@code headers}. With {@code captures} set, {@code $1}... in values
     * are the groups of that match first ({@code proxy-rewrite}'s {@code regex_uri} captures), then
     * variables are resolved.
     */
    public void apply(HttpHeaders headers, Exchange exchange, boolean withCaptures, @Nullable MatchResult captures) {
        for (Op op : add) {
            for (VarTemplate value : op.values()) {
                headers.add(op.name(), resolve(value, exchange, withCaptures, captures));
            }
        }
        for (Op op : set) {
            if (op.values().length == 1) {
                String value = resolve(op.values()[0], exchange, withCaptures, captures);
                if (value.isEmpty() && emptySetRemoves) {
                    headers.remove(op.name());
                } else {
                    headers.set(op.name(), value);
                }
            } else {
                headers.remove(op.name());
                for (VarTemplate value : op.values()) {
                    headers.add(op.name(), resolve(value, exchange, withCaptures, captures));
                }
            }
        }
        for (String name : remove) {
            headers.remove(name);
        }
    }

    private static String resolve(VarTemplate value, Exchange exchange, boolean withCaptures,
            @Nullable MatchResult captures) {
        if (!withCaptures) {
            return value.resolve(exchange);
        }
        String text = VarTemplate.withCaptures(value.toString(), captures);
        return text.equals(value.toString()) ? value.resolve(exchange) : VarTemplate.parse(text).resolve(exchange);
    }

    /**
     * A header value from config JSON as Lua's {@code tostring} writes it: a string as it is, an
     * integral number without a fraction ({@code 10}, not {@code 10.0}).
     *
     * @throws IllegalArgumentException for anything else, naming {@code field}
     */
    public static String text(String field, @Nullable Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString());
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().scale() <= 0
                    ? d.toBigInteger().toString() : d.stripTrailingZeros().toPlainString();
        }
        throw Arguments.invalid(field, value, "a string or a number");
    }

    /** Builds {@link HeaderOps}. */
    public static final class Builder {
        private final List<Op> add = new ArrayList<>();
        private final List<Op> set = new ArrayList<>();
        private final List<String> remove = new ArrayList<>();
        private boolean emptySetRemoves;

        private Builder() {
        }

        /**
         * A {@code set} whose value resolves to {@code ""} removes the header, as setting
         * {@code ngx.header} to an empty string does for response headers.
         */
        public Builder emptySetRemoves() {
            this.emptySetRemoves = true;
            return this;
        }

        /** Adds one header per value, keeping what is there. */
        public Builder add(String name, List<String> values) {
            add.add(op(name, values));
            return this;
        }

        /** Replaces the header with these values. */
        public Builder set(String name, List<String> values) {
            set.add(op(name, values));
            return this;
        }

        /** Removes the header. */
        public Builder remove(String name) {
            remove.add(requireNonNull(name, "name"));
            return this;
        }

        private static Op op(String name, List<String> values) {
            requireNonNull(name, "name");
            if (values.isEmpty()) {
                throw new IllegalArgumentException(name + ": [] (expected: at least one value)");
            }
            return new Op(name, values.stream().map(VarTemplate::parse).toArray(VarTemplate[]::new));
        }

        /** The operations. */
        public HeaderOps build() {
            return add.isEmpty() && set.isEmpty() && remove.isEmpty() ? NONE
                    : new HeaderOps(List.copyOf(add), List.copyOf(set), List.copyOf(remove), emptySetRemoves);
        }
    }
}
