package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.route.RouteSpec;
import java.util.ArrayList;
import java.util.List;

/** Reads a stored route's matching fields into the router. */
final class RouteSpecs {

    private RouteSpecs() {
    }

    static RouteSpec<CompiledRoute> spec(String id, JsonNode route, CompiledRoute compiled) {
        return RouteSpec.builder(id, compiled)
                .uris(oneOrMany(route, "uri", "uris"))
                .hosts(oneOrMany(route, "host", "hosts"))
                .methods(texts(route.get("methods")))
                .remoteAddrs(oneOrMany(route, "remote_addr", "remote_addrs"))
                .vars(route.hasNonNull("vars") ? Expr.compile(route.get("vars")) : null)
                .priority(route.path("priority").asInt(0))
                .build();
    }

    private static List<String> oneOrMany(JsonNode route, String one, String many) {
        if (route.hasNonNull(one)) {
            return List.of(route.get(one).asText());
        }
        return texts(route.get(many));
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }
}
