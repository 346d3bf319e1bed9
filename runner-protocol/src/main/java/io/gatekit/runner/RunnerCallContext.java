package io.gatekit.runner;

import java.nio.charset.StandardCharsets;

/**
 * What a {@link RunnerPlugin} knows besides the call itself: its config, and a way to ask APISIX
 * for more while the call is open. Valid only during the call, on the thread that made it.
 */
public interface RunnerCallContext {

    /** This plugin's config string from {@code conf[].value} (JSON by convention). */
    String config();

    /** The conf token the call carried. */
    long confToken();

    /**
     * Asks APISIX a question and waits for the answer.
     *
     * @return the answer, or {@code null} when APISIX has no value
     */
    byte[] extraInfo(ExtraInfo question);

    /** The value of a variable, or {@code null} when it has none. */
    default String var(String name) {
        byte[] value = extraInfo(ExtraInfo.var(name));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The request body; empty when there is none. */
    default byte[] requestBody() {
        byte[] body = extraInfo(ExtraInfo.requestBody());
        return body == null ? new byte[0] : body;
    }

    /** The upstream response body (during {@link RunnerPlugin#onResponse}); empty when there is none. */
    default byte[] responseBody() {
        byte[] body = extraInfo(ExtraInfo.responseBody());
        return body == null ? new byte[0] : body;
    }
}
