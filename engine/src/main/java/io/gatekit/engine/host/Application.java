package io.gatekit.engine.host;

import io.gatekit.api.http.HttpRequest;
import java.util.concurrent.CompletionStage;

/**
 * The host's own handler, for routes without an upstream: the engine runs the request phases, then
 * hands the request (as plugins left it) to the application instead of an upstream, then runs
 * {@code header_filter}, {@code body_filter} and {@code log} on the application's response, the way
 * a servlet filter wraps a servlet. A request no route matches goes to the application untouched.
 *
 * <pre>{@code
 * engine.serve(request, body, transport, (req, reqBody) -> myApp.handle(req, reqBody));
 * }</pre>
 */
@FunctionalInterface
public interface Application {

    /** Handles {@code request}; completes with the response, its body streaming. */
    CompletionStage<Response> handle(HttpRequest request, Body body);
}
