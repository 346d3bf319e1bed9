package io.gatekit.api;

import static java.util.Objects.requireNonNull;

/**
 * A typed key for per-request state on an {@link io.gatekit.api.http.Exchange}. Keys compare by
 * identity: declare each once, as a constant, and share it between the plugins that use it.
 *
 * <pre>{@code
 * static final AttributeKey<String> CONSUMER = AttributeKey.of("consumer", String.class);
 *
 * exchange.attr(CONSUMER, "jack");
 * String who = exchange.attr(CONSUMER); // "jack", or null when unset
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class AttributeKey<T> {

    private final String name;
    private final Class<T> type;

    private AttributeKey(String name, Class<T> type) {
        this.name = name;
        this.type = type;
    }

    /**
     * A new key; {@code name} is for diagnostics only and need not be unique.
     *
     * @param <T> the type of the values
     * @param name a name for diagnostics
     * @param type the class of the values
     * @return a key equal only to itself
     */
    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        if (name.isBlank()) {
            throw Arguments.invalid("name", "\"" + name + "\"", "not blank");
        }
        return new AttributeKey<>(name, type);
    }

    /** {@return the diagnostic name} */
    public String name() {
        return name;
    }

    /** {@return the value type; values are checked against it when set} */
    public Class<T> type() {
        return type;
    }

    @Override
    public String toString() {
        return "AttributeKey(" + name + ": " + type.getSimpleName() + ")";
    }
}
