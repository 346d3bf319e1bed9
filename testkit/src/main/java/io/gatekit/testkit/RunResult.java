package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What happened to one request run through a {@link PluginHarness}: whether a plugin answered it
 * in a request phase, what the upstream received, what the client gets, and which plugin ran in
 * which phase, in order.
 *
 * <pre>{@code
 * RunResult result = harness.request(HttpRequest.builder().uri("/hello").build());
 *
 * assertFalse(result.shortCircuited());
 * assertEquals("v", result.upstreamRequest().headers().get("x-stamp"));
 * assertEquals("v", result.response().headers().get("x-stamp"));
 * assertEquals(List.of("header-stamp@rewrite", "header-stamp@header_filter"), result.trace());
 * }</pre>
 */
public final class RunResult {

    /**
     * One plugin phase that ran, as the engine reported it to its listener.
     *
     * @param plugin  the plugin name
     * @param phase   the phase
     * @param nanos   how long it took on the real clock (until its stage completed, when async),
     *                or -1 when the engine reported only a failure
     * @param at      the {@link ManualClock} time when it finished
     * @param failure what it threw (or its stage failed with), or {@code null}
     */
    public record Step(String plugin, Phase phase, long nanos, Instant at, @Nullable Throwable failure) {

        public Step {
            requireNonNull(plugin, "plugin");
            requireNonNull(phase, "phase");
            requireNonNull(at, "at");
        }

        /** {@code plugin@phase}, the phase as APISIX names it, e.g. {@code key-auth@rewrite}. */
        @Override
        public String toString() {
            return plugin + "@" + phase.apisixName() + (failure == null ? "" : " failed: " + failure);
        }
    }

    private final Exchange exchange;
    private final List<Step> steps;
    private final HttpResponse response;
    private final List<byte[]> bodyChunks;
    private final @Nullable HttpRequest upstreamRequest;
    private final @Nullable String shortCircuitedBy;
    private final Duration elapsed;

    RunResult(Exchange exchange, List<Step> steps, HttpResponse response, List<byte[]> bodyChunks,
            @Nullable HttpRequest upstreamRequest, @Nullable String shortCircuitedBy, Duration elapsed) {
        this.exchange = exchange;
        this.steps = List.copyOf(steps);
        this.response = response;
        this.bodyChunks = List.copyOf(bodyChunks);
        this.upstreamRequest = upstreamRequest;
        this.shortCircuitedBy = shortCircuitedBy;
        this.elapsed = elapsed;
    }

    /** Whether the request phases answered the request, so the upstream was not called. */
    public boolean shortCircuited() {
        return upstreamRequest == null;
    }

    /**
     * The plugin whose request phase answered (with its own response, or a 500 because it failed),
     * or {@code null} when the upstream was called or the engine answered itself (404: no route).
     */
    public @Nullable String shortCircuitedBy() {
        return shortCircuitedBy;
    }

    /**
     * The request as the upstream received it, after every request phase.
     *
     * @throws IllegalStateException when the request was {@link #shortCircuited()}
     */
    public HttpRequest upstreamRequest() {
        if (upstreamRequest == null) {
            throw new IllegalStateException("the upstream was not called: the request phases answered "
                    + response.status() + (shortCircuitedBy == null ? "" : " in plugin [" + shortCircuitedBy + "]")
                    + " (expected: a request that reaches the upstream; check shortCircuited() first)");
        }
        return upstreamRequest;
    }

    /** The response the client gets, after {@code header_filter} and {@code body_filter}. */
    public HttpResponse response() {
        return response;
    }

    /** The response body as UTF-8 text; {@code ""} when there is none. */
    public String bodyText() {
        byte[] body = response.body();
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body chunks the client gets, each as {@code body_filter} returned it; one chunk unless
     * {@link PluginHarness#bodyChunkSize(int)} split the upstream body; none when there is no body.
     */
    public List<byte[]> bodyChunks() {
        return bodyChunks;
    }

    /** Each plugin phase that ran, in order, as {@code plugin@phase}: {@code [key-auth@rewrite, ...]}. */
    public List<String> trace() {
        return steps.stream().map(s -> s.plugin() + "@" + s.phase().apisixName()).toList();
    }

    /** Each plugin phase that ran, in order, with timings and failures. */
    public List<Step> steps() {
        return steps;
    }

    /** The steps that failed: a plugin threw, or its stage completed exceptionally. */
    public List<Step> failures() {
        return steps.stream().filter(s -> s.failure() != null).toList();
    }

    /** Whether {@code plugin} ran in {@code phase}. */
    public boolean ran(String plugin, Phase phase) {
        return steps.stream().anyMatch(s -> s.plugin().equals(plugin) && s.phase() == phase);
    }

    /** The value of attribute {@code key} on the exchange after the run, or {@code null}. */
    public <T> @Nullable T attr(AttributeKey<T> key) {
        return exchange.attr(key);
    }

    /** The exchange the plugins saw, after the run: its route, variables and upstream target. */
    public Exchange exchange() {
        return exchange;
    }

    /** How far the {@link ManualClock} moved while the run was in progress. */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public String toString() {
        return "RunResult[" + response.status() + (shortCircuited() ? " short-circuited" : " from upstream")
                + ", trace=" + trace() + "]";
    }
}
