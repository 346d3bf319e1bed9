package io.gatekit.plugins.limit;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;

/** What both limit plugins share: the policy check and the refusal they answer with. */
final class Limits {

    private Limits() {
    }

    /** Refuses every policy but {@code local}, naming the ones the schema lists. */
    static void localPolicy(String policy, String expected) {
        if (!policy.equals(expected)) {
            throw new IllegalArgumentException("policy: \"" + policy + "\" (expected: local; the redis policies"
                    + " are not supported yet, each node counts on its own)");
        }
    }

    /** APISIX's refusal: {@code rejected_code}, with {@code {"error_msg": rejected_msg}} when set. */
    static Outcome rejection(int status, byte[] body, HttpHeaders headers) {
        // an empty body, not none: a response without a body would be taken for one still streaming
        return Outcome.respond(HttpResponse.of(status, headers, body.length == 0 ? body : body.clone()));
    }

    static byte[] body(String rejectedMsg) {
        return rejectedMsg == null ? new byte[0] : JsonText.object("error_msg", rejectedMsg);
    }
}
