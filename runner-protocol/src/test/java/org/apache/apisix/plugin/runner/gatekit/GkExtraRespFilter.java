package org.apache.apisix.plugin.runner.gatekit;

import java.util.List;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Asks for var server_port and the response body, and sets them as response headers. */
@Component
public class GkExtraRespFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-extra-resp";
    }

    @Override
    public List<String> requiredVars() {
        return List.of("server_port");
    }

    @Override
    public Boolean requiredRespBody() {
        return true;
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        response.setHeader("x-server-port", request.getVars("server_port"));
        response.setHeader("x-resp-body", request.getBody());
        chain.postFilter(request, response);
    }
}
