package io.gatekit.engine.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterScaleTest {

    private static final int ROUTES = 10_000;

    /** Route {@code i}: exact, prefix or parameter uri in turn, all under shared prefixes. */
    private static List<RouteSpec<Integer>> routes() {
        List<RouteSpec<Integer>> routes = new ArrayList<>(ROUTES);
        for (int i = 0; i < ROUTES; i++) {
            String uri = switch (i % 3) {
                case 0 -> "/api/v1/service" + i + "/items";
                case 1 -> "/static/app" + i + "/*";
                default -> "/api/v1/users" + i + "/:id/orders/:order";
            };
            routes.add(RouteSpec.builder("route-" + i, i).uris(uri).build());
        }
        return routes;
    }

    private static String pathOf(int i) {
        return switch (i % 3) {
            case 0 -> "/api/v1/service" + i + "/items";
            case 1 -> "/static/app" + i + "/js/main.js";
            default -> "/api/v1/users" + i + "/u" + i + "/orders/o" + i;
        };
    }

    @Test
    void everyOneOfTenThousandRoutesIsFoundByItsPath() {
        Router<Integer> router = Router.of(routes());
        for (int i = 0; i < ROUTES; i++) {
            Match<Integer> match = router.match("GET", null, pathOf(i), null, null);
            assertEquals(i, match.payload(), pathOf(i));
            if (i % 3 == 2) {
                assertEquals("u" + i, match.param("id"));
                assertEquals("o" + i, match.param("order"));
            }
        }
        assertNull(router.match("GET", null, "/api/v1/service1/items", null, null));
        assertNull(router.match("GET", null, "/static/app1", null, null));
    }
}
