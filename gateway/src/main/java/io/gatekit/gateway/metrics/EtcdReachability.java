package io.gatekit.gateway.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Whether etcd answers, for {@code apisix_etcd_reachable}: each read returns what the previous
 * check found and starts the next one ({@code GET /version}, as APISIX's exporter asks), so that a
 * scrape never waits for etcd.
 */
public final class EtcdReachability implements BooleanSupplier {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI version;
    /** The config was read from etcd at the start: reachable until a check says otherwise. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    public EtcdReachability(URI endpoint) {
        this.version = endpoint.resolve("/version");
    }

    @Override
    public boolean getAsBoolean() {
        HTTP.sendAsync(HttpRequest.newBuilder(version).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> reachable.set(failure == null && response.statusCode() == 200));
        return reachable.get();
    }
}
