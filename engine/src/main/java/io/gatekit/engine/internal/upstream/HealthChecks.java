package io.gatekit.engine.internal.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An upstream's {@code checks}, validated by the schema, with APISIX's and lua-resty-healthcheck's
 * defaults filled in. A threshold of 0 turns its counter off; passive checks absent means every
 * passive threshold is 0 (lua-resty-healthcheck's defaults), so proxied traffic reports nothing.
 *
 * @param active  the active probe config
 * @param passive the passive thresholds, or {@code null} when {@code checks.passive} is absent
 */
public record HealthChecks(Active active, @Nullable Passive passive) {

    /**
     * {@code checks.active}.
     *
     * @param type              {@code http}, {@code https} or {@code tcp}
     * @param timeoutSeconds    how long one probe may take
     * @param concurrency       how many targets are probed at once
     * @param host              the Host header (and TLS name) of http(s) probes; {@code null} for the node's host
     * @param port              the port probed instead of the node's, or 0
     * @param httpPath          the probe's path
     * @param verifyCertificate whether https probes check the node's certificate
     * @param reqHeaders        extra {@code Name: value} headers of http(s) probes
     */
    public record Active(String type, double timeoutSeconds, int concurrency, @Nullable String host, int port,
            String httpPath, boolean verifyCertificate, List<String> reqHeaders, int healthyInterval,
            Set<Integer> healthyStatuses, int healthySuccesses, int unhealthyInterval, Set<Integer> unhealthyStatuses,
            int httpFailures, int tcpFailures, int timeouts) {
    }

    /** {@code checks.passive}: the statuses and thresholds proxied responses are held to. */
    public record Passive(Set<Integer> healthyStatuses, int healthySuccesses, Set<Integer> unhealthyStatuses,
            int httpFailures, int tcpFailures, int timeouts) {
    }

    /** Reads {@code checks}; {@code null} when absent or null. */
    public static @Nullable HealthChecks parse(@Nullable JsonNode checks) {
        if (checks == null || !checks.isObject() || !checks.has("active")) {
            return null; // the schema requires active whenever checks is present
        }
        JsonNode a = checks.path("active");
        JsonNode ah = a.path("healthy");
        JsonNode au = a.path("unhealthy");
        List<String> headers = new ArrayList<>();
        a.path("req_headers").forEach(h -> headers.add(h.asText()));
        Active active = new Active(a.path("type").asText("http"), a.path("timeout").asDouble(1),
                Math.max(1, a.path("concurrency").asInt(10)), a.hasNonNull("host") ? a.get("host").asText() : null,
                a.path("port").asInt(0), a.path("http_path").asText("/"),
                a.path("https_verify_certificate").asBoolean(true), List.copyOf(headers),
                ah.path("interval").asInt(1), statuses(ah.get("http_statuses"), 200, 302),
                ah.path("successes").asInt(2), au.path("interval").asInt(1),
                statuses(au.get("http_statuses"), 429, 404, 500, 501, 502, 503, 504, 505),
                au.path("http_failures").asInt(5), au.path("tcp_failures").asInt(2), au.path("timeouts").asInt(3));
        Passive passive = null;
        if (checks.hasNonNull("passive")) {
            JsonNode p = checks.get("passive");
            JsonNode ph = p.path("healthy");
            JsonNode pu = p.path("unhealthy");
            passive = new Passive(statuses(ph.get("http_statuses"), 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                    300, 301, 302, 303, 304, 305, 306, 307, 308), ph.path("successes").asInt(5),
                    statuses(pu.get("http_statuses"), 429, 500, 503), pu.path("http_failures").asInt(5),
                    pu.path("tcp_failures").asInt(2), pu.path("timeouts").asInt(7));
        }
        return new HealthChecks(active, passive);
    }

    private static Set<Integer> statuses(@Nullable JsonNode list, int... defaults) {
        Set<Integer> out = new TreeSet<>();
        if (list != null && list.isArray()) {
            list.forEach(s -> out.add(s.asInt()));
        } else {
            for (int status : defaults) {
                out.add(status);
            }
        }
        return Set.copyOf(out);
    }
}
