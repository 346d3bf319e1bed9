package org.apache.apisix.plugin.runner.gatekit;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/**
 * Shows the trace context the runner got, as a runner-side tracer would read it: the request's
 * {@code traceparent} goes on to the upstream as {@code x-runner-traceparent}, the one of a
 * response call comes back to the client as {@code x-runner-resp-traceparent}.
 */
@Component
public class GkTraceFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-trace";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        String traceparent = request.getHeader("traceparent");
        request.setHeader("x-runner-traceparent", traceparent == null ? "none" : traceparent);
        chain.filter(request, response);
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        String traceparent = request.getUpstreamHeaders().get("traceparent");
        response.setHeader("x-runner-resp-traceparent", traceparent == null ? "none" : traceparent);
        chain.postFilter(request, response);
    }
}
