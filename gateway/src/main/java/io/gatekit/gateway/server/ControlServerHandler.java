package io.gatekit.gateway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.engine.Engine;
import io.gatekit.engine.HealthCheckStatus;
import io.gatekit.engine.ResourceKind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Optional;

/**
 * APISIX's control API ({@code apisix.enable_control}, {@code apisix.control}): the health checks.
 * {@code GET /v1/healthcheck} lists every checker, {@code GET /v1/healthcheck/<type>/<id>} (type
 * {@code routes}, {@code services} or {@code upstreams}) one, in APISIX's shape: the upstream's
 * etcd key as {@code name}, the check {@code type} and per node {@code ip}, {@code port},
 * {@code hostname}, {@code status} and the {@code counter} of successes and failures. Errors carry
 * APISIX's texts ({@code invalid src type}, {@code no checker for}, {@code not found}). Answers are
 * JSON whatever the {@code Accept} header (APISIX renders HTML for {@code text/html}).
 */
public final class ControlServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/v1/healthcheck";

    private final Engine engine;
    private final String keyPrefix;

    /**
     * @param keyPrefix the etcd prefix the {@code name} of a checker starts with ({@code /apisix}
     *                  unless {@code deployment.etcd.prefix} says otherwise)
     */
    public ControlServerHandler(Engine engine, String keyPrefix) {
        this.engine = engine;
        this.keyPrefix = keyPrefix;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        FullHttpResponse response;
        if (!request.method().equals(HttpMethod.GET) || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
            response = JsonResponses.error(HttpResponseStatus.NOT_FOUND,
                    "404 Not Found: the control API serves GET /v1/healthcheck and /v1/healthcheck/<type>/<id>");
        } else if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            ArrayNode all = JSON.createArrayNode();
            engine.healthChecks().forEach(check -> all.add(checker(check)));
            response = JsonResponses.of(HttpResponseStatus.OK, all.toString());
        } else {
            response = one(path.substring(PREFIX.length() + 1).split("/", -1));
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    /** {@code /v1/healthcheck/<type>/<id>}, as APISIX's {@code get_health_checker}. */
    private FullHttpResponse one(String[] segments) {
        String type = segments[0];
        String id = segments.length > 1 && !segments[1].isEmpty() ? segments[1] : null;
        if (id == null) {
            return JsonResponses.error(HttpResponseStatus.NOT_FOUND, "missing src id for src type " + type);
        }
        if (!List.of("routes", "services", "upstreams", "stream_routes").contains(type)) {
            return JsonResponses.error(HttpResponseStatus.BAD_REQUEST, "invalid src type " + type);
        }
        // APISIX's stream_routes have no counterpart here: none exists, so none is found
        ResourceKind kind = switch (type) {
            case "routes" -> ResourceKind.ROUTES;
            case "services" -> ResourceKind.SERVICES;
            case "upstreams" -> ResourceKind.UPSTREAMS;
            default -> null;
        };
        String key = "/" + type + "/" + id;
        Optional<HealthCheckStatus> found = engine.healthChecks().stream().filter(c -> c.key().equals(key))
                .findFirst();
        if (found.isPresent()) {
            return JsonResponses.of(HttpResponseStatus.OK, checker(found.get()).toString());
        }
        boolean exists = kind != null && engine.get(kind, id).isPresent();
        return JsonResponses.error(HttpResponseStatus.NOT_FOUND, exists
                ? "no checker for " + type + "[" + id + "]" : type + "[" + id + "] not found");
    }

    private ObjectNode checker(HealthCheckStatus check) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", keyPrefix + check.key());
        out.put("type", check.type());
        ArrayNode nodes = out.putArray("nodes");
        List<HealthCheckStatus.Target> targets = check.nodes();
        for (HealthCheckStatus.Target target : targets) {
            ObjectNode node = nodes.addObject();
            node.put("ip", target.host());
            node.put("port", target.port());
            node.put("hostname", target.host());
            node.put("status", target.status());
            ObjectNode counter = node.putObject("counter");
            counter.put("success", target.successes());
            counter.put("http_failure", target.httpFailures());
            counter.put("tcp_failure", target.tcpFailures());
            counter.put("timeout_failure", target.timeouts());
        }
        return out;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
