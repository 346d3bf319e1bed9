package io.gatekit.plugins.auth;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.SimplePluginFactory;
import java.util.List;

/**
 * What an authentication plugin's factory declares besides its name, priority and schemas: that it
 * authenticates, the consumer config's schema, the field that identifies a consumer, the field
 * that is secret, and the refusal of {@code anonymous_consumer}, which Gatekit does not have yet.
 *
 * @param <C> the config on a route or service
 */
abstract class AuthPluginFactory<C> extends SimplePluginFactory<C> {

    private final String consumerSchema;
    private final String consumerKeyField;
    private final List<String> secretFields;

    AuthPluginFactory(String name, int priority, String configSchema, Class<C> configType, String consumerSchema,
            String consumerKeyField, String secretField) {
        super(name, priority, configSchema, configType);
        this.consumerSchema = consumerSchema;
        this.consumerKeyField = consumerKeyField;
        this.secretFields = List.of(secretField);
    }

    /** The {@code anonymous_consumer} of {@code config}, or {@code null}. */
    abstract @Nullable String anonymousConsumer(C config);

    @Override
    public final boolean authenticates() {
        return true;
    }

    @Override
    public final String consumerSchema() {
        return consumerSchema;
    }

    @Override
    public final String consumerKeyField() {
        return consumerKeyField;
    }

    @Override
    public final List<String> secretFields() {
        return secretFields;
    }

    @Override
    public final void validate(C config) {
        String anonymous = anonymousConsumer(config);
        if (anonymous != null) {
            throw Arguments.invalid("anonymous_consumer", "\"" + anonymous + "\"",
                    "none; anonymous consumers are not supported yet");
        }
    }
}
