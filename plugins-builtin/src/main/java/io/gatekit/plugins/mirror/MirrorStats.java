package io.gatekit.plugins.mirror;

import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;

/**
 * The series of one route and target, looked up once: recording then never allocates.
 *
 * @param sampled     copies decided for requests that reached the upstream dispatch
 * @param sent        copies the mirror answered (any status)
 * @param dropped     copies not sent because {@code max_in_flight} copies were in flight
 * @param failed      copies that could not be sent or got no answer (not a timeout)
 * @param timedOut    copies that hit a timeout
 * @param bodyOmitted copies sent without the request's body
 * @param latency     from handing the copy to the client to the mirror's answer
 */
record MirrorStats(Counter sampled, Counter sent, Counter dropped, Counter failed, Counter timedOut,
        Counter bodyOmitted, Timer latency) {

    static final String REQUESTS = "gatekit_mirror_requests_total";
    static final String BODY_OMITTED = "gatekit_mirror_body_omitted_total";
    static final String LATENCY = "gatekit_mirror_latency_seconds";

    static MirrorStats of(Metrics metrics, String route, String target) {
        return new MirrorStats(
                result(metrics, route, target, "sampled"),
                result(metrics, route, target, "sent"),
                result(metrics, route, target, "dropped"),
                result(metrics, route, target, "failed"),
                result(metrics, route, target, "timed_out"),
                metrics.counter(BODY_OMITTED, "route", route, "target", target),
                metrics.timer(LATENCY, "route", route, "target", target));
    }

    private static Counter result(Metrics metrics, String route, String target, String result) {
        return metrics.counter(REQUESTS, "route", route, "target", target, "result", result);
    }
}
