package io.gatekit.api;

/**
 * A consumer, APISIX's caller identity: a {@code username}, an optional consumer group, and the
 * plugin configs that take precedence over a route's once an authentication plugin has found it
 * ({@link io.gatekit.api.http.Exchange#findConsumer}) and attached it
 * ({@link io.gatekit.api.http.Exchange#attachConsumer}).
 *
 * <p>Its {@code toString()} names the consumer only; credentials never appear in it.
 */
public interface Consumer {

    /** {@return the consumer's {@code username}, also its id} */
    String username();

    /** {@return its {@code group_id}, or {@code null} when it is in no consumer group} */
    @Nullable String groupId();

    /**
     * A string field of this consumer's config of an authentication plugin, e.g. the
     * {@code password} of its {@code basic-auth}, for the plugin to check a request against.
     *
     * @param plugin the plugin's name
     * @param field  the field of its consumer config
     * @return the value, or {@code null} when unset or not a string
     */
    @Nullable String credential(String plugin, String field);
}
