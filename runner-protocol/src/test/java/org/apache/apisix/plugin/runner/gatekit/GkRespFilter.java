package org.apache.apisix.plugin.runner.gatekit;

import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Replaces the response: 418, x-runner: gk, x-upstream echoing upstream header x-up, the conf value as body. */
@Component
public class GkRespFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-resp";
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        response.setStatusCode(418);
        response.setHeader("x-runner", "gk");
        response.setHeader("x-upstream", request.getUpstreamHeaders().get("x-up"));
        response.setBody(request.getConfig(this));
        chain.postFilter(request, response);
    }
}
