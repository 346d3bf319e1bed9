package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves the secret references in a consumer's credentials, as APISIX's {@code secret.fetch_secrets}:
 * {@code $env://NAME} (any case of {@code ENV}) is the environment variable {@code NAME}, and
 * {@code $env://NAME/field} the string {@code field} of the JSON object in it. A reference that
 * does not resolve, and every {@code $secret://} one (Gatekit has no secrets resource yet), is
 * taken out of the credentials, so its literal text never matches a request (APISIX's
 * {@code t/plugin/key-auth.t} TEST 33-34: fail closed).
 */
final class CredentialRefs {

    private static final String ENV = "$ENV://";
    private static final String SECRET = "$secret://";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<String, @Nullable String> environment;

    CredentialRefs(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    /** References resolved from {@link System#getenv(String)}. */
    static CredentialRefs fromEnvironment() {
        return new CredentialRefs(System::getenv);
    }

    /** {@code conf} with its top-level string references resolved or removed; {@code conf} itself when it has none. */
    JsonNode resolve(JsonNode conf) {
        if (!(conf instanceof ObjectNode object) || !hasRef(object)) {
            return conf;
        }
        ObjectNode copy = object.deepCopy();
        List<String> unresolved = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            JsonNode value = field.getValue();
            if (!value.isTextual() || !isRef(value.textValue())) {
                continue;
            }
            String resolved = value.textValue().startsWith(SECRET) ? null : env(value.textValue());
            if (resolved == null) {
                unresolved.add(field.getKey());
            } else {
                copy.put(field.getKey(), resolved);
            }
        }
        unresolved.forEach(copy::remove);
        return copy;
    }

    private static boolean hasRef(ObjectNode object) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getValue().isTextual() && isRef(field.getValue().textValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRef(String value) {
        return value.startsWith(SECRET) || value.regionMatches(true, 0, ENV, 0, ENV.length());
    }

    private @Nullable String env(String ref) {
        String path = ref.substring(ENV.length());
        int slash = path.indexOf('/');
        String value = environment.apply(slash < 0 ? path : path.substring(0, slash));
        if (value == null || slash < 0) {
            return value;
        }
        try {
            JsonNode field = JSON.readTree(value).get(path.substring(slash + 1));
            return field != null && field.isTextual() ? field.textValue() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
