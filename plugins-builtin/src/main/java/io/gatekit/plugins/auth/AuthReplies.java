package io.gatekit.plugins.auth;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;

/** The 401 of an authentication plugin, as APISIX's: {@code {"message": ...}} and a challenge. */
final class AuthReplies {

    /** The {@code realm} schema of APISIX's {@code schema_def.get_realm_schema}: printable ASCII but {@code "} and {@code \}. */
    static String realmSchema(String defaultRealm) {
        return """
                {"type": "string", "pattern": "^[\\\\x20-\\\\x21\\\\x23-\\\\x5B\\\\]-\\\\x7E]+$", "default": "%s"}"""
                .formatted(defaultRealm);
    }

    private AuthReplies() {
    }

    /** A 401 with {@code WWW-Authenticate: <scheme> realm="<realm>"} and {@code message}. */
    static Outcome unauthorized(String scheme, String realm, String message) {
        return Outcome.respond(HttpResponse.of(401, HttpHeaders.of("WWW-Authenticate",
                scheme + " realm=\"" + realm + "\""), JsonText.object("message", message)));
    }
}
