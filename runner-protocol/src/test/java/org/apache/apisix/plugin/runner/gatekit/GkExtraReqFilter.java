package org.apache.apisix.plugin.runner.gatekit;

import java.util.List;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Asks for vars remote_addr and server_port and the request body, and sets them as request headers. */
@Component
public class GkExtraReqFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-extra-req";
    }

    @Override
    public List<String> requiredVars() {
        return List.of("remote_addr", "server_port");
    }

    @Override
    public Boolean requiredBody() {
        return true;
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        request.setHeader("x-remote-addr", request.getVars("remote_addr"));
        request.setHeader("x-server-port", request.getVars("server_port"));
        request.setHeader("x-body", request.getBody());
        chain.filter(request, response);
    }
}
