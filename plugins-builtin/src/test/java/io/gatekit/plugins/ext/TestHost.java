package io.gatekit.plugins.ext;

import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives requests through an {@link Engine} the way a host does: request phases, the upstream
 * (a function standing for it), header filter, log. Bodies are handed to the engine whole only when
 * the route asks for them, as a streaming host does; a request body that streams reaches the
 * upstream untouched unless a plugin replaced it.
 */
final class TestHost {

    /** Stands for the upstream: its answer to the request as sent, or {@code null} when it is down. */
    @FunctionalInterface
    interface Upstream {
        @Nullable HttpResponse answer(HttpRequest sent);
    }

    /**
     * What one request came to.
     *
     * @param response      what the client gets
     * @param sent          the request as the upstream got it, or {@code null} when it was not called
     * @param sentBody      the body the upstream got, {@code ""} when none
     * @param upstreamCalls how many times the upstream was called
     */
    record Served(HttpResponse response, @Nullable HttpRequest sent, String sentBody, int upstreamCalls) {

        String body() {
            byte[] body = response.body();
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return response.headers().get(name);
        }
    }

    /** An upstream answering 200, {@code content-type: text/plain}, {@code x-up: u1}, body "upstream body". */
    static final Upstream OK = sent -> HttpResponse.of(200,
            HttpHeaders.of("Content-Type", "text/plain", "x-up", "u1"),
            "upstream body".getBytes(StandardCharsets.UTF_8));

    /** An upstream that cannot be reached. */
    static final Upstream DOWN = sent -> null;

    private final Engine engine;

    TestHost(Engine engine) {
        this.engine = engine;
    }

    Served serve(HttpRequest request) {
        return serve(request, null, OK);
    }

    Served serve(HttpRequest request, Upstream upstream) {
        return serve(request, null, upstream);
    }

    /** Serves {@code request} whose body (if any) is {@code body}, with {@code upstream} behind it. */
    Served serve(HttpRequest request, @Nullable String body, Upstream upstream) {
        Call call = engine.newCall(request);
        byte[] streamed = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        if (streamed != null && call.bodyBuffering().request()) {
            request.body(streamed);
        }
        AtomicInteger upstreamCalls = new AtomicInteger();
        try {
            Outcome outcome = await(call.runRequestPhases());
            if (outcome.proceeds()) {
                String host = request.headers().get("host");
                outcome = await(call.beforeProxy("127.0.0.1", 1980, host == null ? "" : host));
            }
            HttpRequest sent = null;
            String sentBody = "";
            HttpResponse response;
            boolean fromUpstream = false;
            if (outcome.proceeds()) {
                sent = call.exchange().request();
                byte[] bytes = sent.body() != null ? sent.body() : streamed;
                sentBody = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
                upstreamCalls.incrementAndGet();
                HttpResponse answer = upstream.answer(sent);
                if (answer == null) {
                    response = HttpResponse.of(502, HttpHeaders.of("content-type", "text/html"),
                            "host: 502 Bad Gateway".getBytes(StandardCharsets.UTF_8));
                } else {
                    response = answer;
                    fromUpstream = true;
                }
            } else {
                response = outcome.response();
            }
            Completion done = call.headerFilter(response, fromUpstream);
            if (!done.isDone()) {
                done.stage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            return new Served(call.exchange().response(), sent == null ? null : snapshot(sent), sentBody,
                    upstreamCalls.get());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            call.complete();
        }
    }

    /** A copy of the request as sent, so later changes to the exchange do not show. */
    private static HttpRequest snapshot(HttpRequest sent) {
        HttpRequest.Builder copy = HttpRequest.builder().method(sent.method()).uri(sent.uri())
                .remoteAddress(sent.remoteAddress());
        sent.headers().forEach(copy::header);
        return copy.build();
    }

    private static Outcome await(Outcome outcome) throws Exception {
        return outcome.kind() == Outcome.Kind.ASYNC
                ? outcome.stage().toCompletableFuture().get(10, TimeUnit.SECONDS) : outcome;
    }
}
