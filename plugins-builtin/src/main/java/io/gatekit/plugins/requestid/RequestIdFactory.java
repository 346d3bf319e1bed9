package io.gatekit.plugins.requestid;

import io.gatekit.api.Arguments;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;

/**
 * {@code request-id}: gives each request an id in a header, passed to the upstream and, by
 * default, back to the client, as APISIX's plugin of the same name (priority 12015, same schema).
 * A request that already carries a non-empty id keeps it.
 *
 * <pre>{@code
 * "request-id": {"header_name": "X-Request-Id", "include_in_response": true, "algorithm": "uuid"}
 * }</pre>
 *
 * <p>Every algorithm of APISIX: {@code uuid} (random, version 4), {@code uuidv7} (time-ordered),
 * {@code nanoid} (21 characters of the URL-safe alphabet), {@code ksuid} (27 base-62 characters,
 * seconds since 2014-05-13 then 128 random bits) and {@code range_id} ({@code length} characters
 * drawn from {@code char_set}). Ids are random, not secret: they come from a fast, non-cryptographic
 * generator, as APISIX's {@code math.random} does for {@code uuid} and {@code range_id}.
 */
public final class RequestIdFactory extends SimplePluginFactory<RequestIdFactory.Config> {

    static final String DEFAULT_CHAR_SET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIGKLMNOPQRSTUVWXYZ0123456789";

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "header_name": {"type": "string", "default": "X-Request-Id"},
               "include_in_response": {"type": "boolean", "default": true},
               "algorithm": {"type": "string", "enum": ["uuid", "nanoid", "range_id", "ksuid", "uuidv7"],
                             "default": "uuid"},
               "range_id": {"type": "object",
                            "properties": {"length": {"type": "integer", "minimum": 6, "default": 16},
                                           "char_set": {"type": "string", "minLength": 6, "default": "%1$s"}},
                            "default": {"length": 16, "char_set": "%1$s"}}
             }}""".formatted(DEFAULT_CHAR_SET);

    /**
     * The config, as APISIX's JSON.
     *
     * @param headerName        the header that carries the id
     * @param includeInResponse whether the client gets it too
     * @param algorithm         how ids are made
     * @param rangeId           length and characters for {@code range_id}
     */
    public record Config(String headerName, boolean includeInResponse, String algorithm, RangeId rangeId) {
    }

    /**
     * {@code range_id}'s settings.
     *
     * @param length  how many characters
     * @param charSet the characters to draw from (APISIX's default has "IGK" where "IJK" was meant; kept)
     */
    public record RangeId(int length, String charSet) {
    }

    /** Found by {@link java.util.ServiceLoader}. */
    public RequestIdFactory() {
        super("request-id", 12015, SCHEMA, Config.class);
    }

    @Override
    public void validate(Config config) {
        if (config.headerName().isEmpty()) {
            throw Arguments.invalid("header_name", "\"\"", "a header name");
        }
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
        RangeId range = config.rangeId() != null ? config.rangeId() : new RangeId(16, DEFAULT_CHAR_SET);
        return RequestIdPlugin.create(config.headerName(), config.includeInResponse(),
                IdGenerator.of(config.algorithm(), range, context.clock()));
    }
}
