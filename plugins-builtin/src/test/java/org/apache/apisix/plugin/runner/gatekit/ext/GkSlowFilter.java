package org.apache.apisix.plugin.runner.gatekit.ext;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/**
 * A runner too slow to wait for: takes as many milliseconds as its conf value says before changing
 * nothing, on the request and on the response. Gatekit's ext-plugin tests give it a shorter timeout.
 */
@Component
public class GkSlowFilter implements PluginFilter {

    @Override
    public String name() {
        return "gk-slow";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        pause(request.getConfig(this));
        chain.filter(request, response);
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        pause(request.getConfig(this));
        chain.postFilter(request, response);
    }

    private static void pause(String millis) {
        try {
            Thread.sleep(Long.parseLong(millis.trim()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
