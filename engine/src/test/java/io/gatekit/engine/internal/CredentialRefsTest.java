package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secret references in consumer credentials: resolved from the environment, or taken out (fail closed). */
class CredentialRefsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // the process environment cannot be set from a test; the lookup is the one thing replaced
    private final CredentialRefs refs = new CredentialRefs(Map.of("test_auth", "authone",
            "CREDS", "{\"password\": \"pw\", \"n\": 1}")::get);

    private JsonNode resolve(String json) throws Exception {
        return refs.resolve(JSON.readTree(json));
    }

    @Test
    void envReferencesResolveInAnyCaseOfThePrefixAndBySubKey() throws Exception {
        assertEquals(JSON.readTree("{\"key\": \"authone\"}"), resolve("{\"key\": \"$env://test_auth\"}"));
        assertEquals(JSON.readTree("{\"key\": \"authone\"}"), resolve("{\"key\": \"$ENV://test_auth\"}"));
        assertEquals(JSON.readTree("{\"username\": \"u\", \"password\": \"pw\"}"),
                resolve("{\"username\": \"u\", \"password\": \"$env://CREDS/password\"}"));
    }

    @Test
    void unresolvedAndSecretReferencesAreTakenOutSoTheirTextNeverMatches() throws Exception {
        assertEquals(JSON.readTree("{}"), resolve("{\"key\": \"$env://KEYAUTH_UNRESOLVED_SECRET\"}"));
        assertEquals(JSON.readTree("{\"username\": \"u\"}"),
                resolve("{\"username\": \"u\", \"password\": \"$secret://vault/test1/foo/passwd\"}"));
        assertEquals(JSON.readTree("{}"), resolve("{\"key\": \"$env://CREDS/n\"}"), "a sub-key that is no string");
    }

    @Test
    void aConfigWithoutReferencesIsKeptAsItIs() throws Exception {
        JsonNode plain = JSON.readTree("{\"key\": \"auth-one\", \"other\": 1}");
        assertSame(plain, refs.resolve(plain));
    }
}
