package io.gatekit.gateway.metrics;

import io.gatekit.engine.Engine;
import io.gatekit.engine.HealthCheckStatus;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The series of APISIX's prometheus plugin under APISIX's names ({@code gatekit.apisix_metrics}),
 * so that APISIX's Grafana dashboard reads a Gatekit node unchanged: {@code apisix_http_status},
 * {@code apisix_http_latency} (milliseconds, APISIX's buckets, types {@code request},
 * {@code upstream} and {@code apisix}), {@code apisix_bandwidth} ({@code ingress}/{@code egress}),
 * {@code apisix_upstream_status} (from the health checkers), {@code apisix_etcd_reachable} (with
 * etcd), {@code apisix_node_info}, {@code apisix_http_requests_total} and
 * {@code apisix_nginx_http_current_connections} (states {@code active}, {@code accepted},
 * {@code handled}). Labels as APISIX's exporter (its classic set: {@code code}, {@code route},
 * {@code matched_uri}, {@code matched_host}, {@code service}, {@code consumer}, {@code node});
 * {@code matched_uri}, {@code matched_host} and {@code service} are empty (the engine does not
 * expose them per request). Bandwidth counts body bytes; nginx's also counts the header bytes.
 */
public final class ApisixMetrics {

    /** APISIX's DEFAULT_BUCKETS, in milliseconds. */
    private static final double[] BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000,
            60000};

    private final Engine engine;
    private final String keyPrefix;
    private final String hostname;
    private final String version;
    private final BooleanSupplier etcdReachable;
    private final boolean etcd;
    private final Map<String, LongAdder> status = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bandwidth = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongSupplier open;
    private final LongSupplier accepted;

    /**
     * @param keyPrefix     the etcd prefix of the upstreams' names ({@code /apisix})
     * @param etcd          whether the config lives in etcd ({@code apisix_etcd_reachable} is exported then)
     * @param etcdReachable whether etcd answered last
     * @param open          the client connections open now
     * @param accepted      the client connections accepted since the start
     */
    public ApisixMetrics(Engine engine, String keyPrefix, String version, boolean etcd, BooleanSupplier etcdReachable,
            LongSupplier open, LongSupplier accepted) {
        this.engine = engine;
        this.open = open;
        this.accepted = accepted;
        this.keyPrefix = keyPrefix;
        this.version = version;
        this.etcd = etcd;
        this.etcdReachable = etcdReachable;
        String name;
        try {
            name = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            name = "localhost";
        }
        this.hostname = name;
    }

    /**
     * One finished request.
     *
     * @param upstreamNanos time to the upstream's response head, or -1 when none was asked
     */
    public void request(int code, String route, String consumer, String node, long requestNanos,
            long upstreamNanos, long bytesIn, long bytesOut) {
        requests.increment();
        String where = "route=\"" + escape(route) + "\",service=\"\",consumer=\"" + escape(consumer) + "\",node=\""
                + escape(node) + "\"";
        status.computeIfAbsent("code=\"" + code + "\",route=\"" + escape(route) + "\",matched_uri=\"\","
                + "matched_host=\"\",service=\"\",consumer=\"" + escape(consumer) + "\",node=\"" + escape(node)
                + "\"", k -> new LongAdder()).increment();
        double requestMs = requestNanos / 1e6;
        latency.computeIfAbsent("type=\"request\"," + where, k -> new Histogram()).observe(requestMs);
        if (upstreamNanos >= 0) {
            double upstreamMs = upstreamNanos / 1e6;
            latency.computeIfAbsent("type=\"upstream\"," + where, k -> new Histogram()).observe(upstreamMs);
            latency.computeIfAbsent("type=\"apisix\"," + where, k -> new Histogram())
                    .observe(Math.max(0, requestMs - upstreamMs));
        } else {
            latency.computeIfAbsent("type=\"apisix\"," + where, k -> new Histogram()).observe(requestMs);
        }
        bandwidth.computeIfAbsent("type=\"ingress\"," + where, k -> new LongAdder()).add(bytesIn);
        bandwidth.computeIfAbsent("type=\"egress\"," + where, k -> new LongAdder()).add(bytesOut);
    }

    /** Every series in the Prometheus text format. */
    public String prometheusText() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP apisix_bandwidth Total bandwidth in bytes consumed per service in APISIX\n")
                .append("# TYPE apisix_bandwidth counter\n");
        new TreeMap<>(bandwidth).forEach((labels, n) -> line(out, "apisix_bandwidth", labels, n.sum()));
        if (etcd) {
            out.append("# HELP apisix_etcd_reachable Config server etcd reachable from APISIX, 0 is unreachable\n")
                    .append("# TYPE apisix_etcd_reachable gauge\n")
                    .append("apisix_etcd_reachable ").append(etcdReachable.getAsBoolean() ? 1 : 0).append('\n');
        }
        out.append("# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX\n")
                .append("# TYPE apisix_http_latency histogram\n");
        new TreeMap<>(latency).forEach((labels, h) -> h.render(out, labels));
        out.append("# HELP apisix_http_requests_total The total number of client requests since APISIX started\n")
                .append("# TYPE apisix_http_requests_total gauge\n")
                .append("apisix_http_requests_total ").append(requests.sum()).append('\n');
        out.append("# HELP apisix_http_status HTTP status codes per service in APISIX\n")
                .append("# TYPE apisix_http_status counter\n");
        new TreeMap<>(status).forEach((labels, n) -> line(out, "apisix_http_status", labels, n.sum()));
        out.append("# HELP apisix_nginx_http_current_connections Number of HTTP connections\n")
                .append("# TYPE apisix_nginx_http_current_connections gauge\n");
        line(out, "apisix_nginx_http_current_connections", "state=\"accepted\"", accepted.getAsLong());
        line(out, "apisix_nginx_http_current_connections", "state=\"active\"", open.getAsLong());
        line(out, "apisix_nginx_http_current_connections", "state=\"handled\"", accepted.getAsLong());
        out.append("# HELP apisix_node_info Info of APISIX node\n").append("# TYPE apisix_node_info gauge\n");
        line(out, "apisix_node_info", "hostname=\"" + escape(hostname) + "\",version=\"" + escape(version) + "\"", 1);
        out.append("# HELP apisix_upstream_status Upstream status from health check\n")
                .append("# TYPE apisix_upstream_status gauge\n");
        for (HealthCheckStatus check : engine.healthChecks()) {
            for (HealthCheckStatus.Target target : check.nodes()) {
                boolean up = target.status().equals("healthy") || target.status().equals("mostly_healthy");
                line(out, "apisix_upstream_status", "name=\"" + escape(keyPrefix + check.key()) + "\",ip=\""
                        + escape(target.host()) + "\",port=\"" + target.port() + "\"", up ? 1 : 0);
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String labels, long value) {
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A histogram over {@link #BUCKETS}. */
    private static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double ms) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (ms <= BUCKETS[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(ms);
        }

        void render(StringBuilder out, String labels) {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i].sum();
                out.append("apisix_http_latency_bucket{").append(labels).append(",le=\"")
                        .append(String.format(java.util.Locale.ROOT, "%07.1f", BUCKETS[i])).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("apisix_http_latency_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count.sum())
                    .append('\n');
            out.append("apisix_http_latency_sum{").append(labels).append("} ").append(sum.sum()).append('\n');
            out.append("apisix_http_latency_count{").append(labels).append("} ").append(count.sum()).append('\n');
        }
    }
}
