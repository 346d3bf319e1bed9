package org.apache.apisix.plugin.runner.gatekit;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/**
 * Rewrites the request (path /rewritten, sets x-added, deletes x-remove, sets arg na=nv) and echoes
 * what it received in x-echo-* headers, so a test sees how the runner decoded the call.
 */
@Component
public class GkRewriteFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-rewrite";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        String method = String.valueOf(request.getMethod());
        String path = request.getPath();
        String arg = request.getArg("a");
        String header = request.getHeader("x-in");
        String ip = request.getSourceIP();
        long id = request.getRequestId();
        request.setHeader("x-echo-method", method);
        request.setHeader("x-echo-path", path);
        request.setHeader("x-echo-arg", arg);
        request.setHeader("x-echo-header", header);
        request.setHeader("x-echo-ip", ip);
        request.setHeader("x-echo-id", Long.toString(id));
        request.setHeader("x-echo-config", request.getConfig(this));
        request.setPath("/rewritten");
        request.setHeader("x-added", "v");
        request.setHeader("x-remove", null);
        request.setArg("na", "nv");
        chain.filter(request, response);
    }
}
