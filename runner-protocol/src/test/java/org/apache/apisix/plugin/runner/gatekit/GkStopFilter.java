package org.apache.apisix.plugin.runner.gatekit;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Stops the request: 403, header x-stop: yes, the conf value as body. */
@Component
public class GkStopFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-stop";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        response.setStatusCode(403);
        response.setHeader("x-stop", "yes");
        response.setBody(request.getConfig(this));
        // The chain's last link writes the answer: every filter must pass the call on.
        chain.filter(request, response);
    }
}
