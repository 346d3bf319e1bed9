package io.gatekit.gateway.proxy;

import io.gatekit.api.http.Exchange;
import io.gatekit.gateway.metrics.ApisixMetrics;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Hands one finished request to {@link ApisixMetrics} with the labels APISIX's exporter gives it:
 * route id, consumer name and the node's address ({@code balancer_ip}), each empty when unset.
 */
final class ApisixRequestMetrics {

    private ApisixRequestMetrics() {
    }

    static void record(ApisixMetrics metrics, ProxyTransaction transaction, long nanos) {
        Exchange exchange = transaction.call() == null ? null : transaction.call().exchange();
        String route = transaction.routeId();
        String consumer = exchange == null ? null : exchange.var("consumer_name");
        String node = exchange == null ? null : exchange.upstream().nodeHost();
        metrics.request(transaction.writer().status(), route == null ? "" : route, consumer == null ? "" : consumer,
                node == null ? "" : node, nanos, transaction.attempt().headerNanos(),
                HttpUtil.getContentLength(transaction.head(), 0L), transaction.writer().bodyBytes());
    }
}
