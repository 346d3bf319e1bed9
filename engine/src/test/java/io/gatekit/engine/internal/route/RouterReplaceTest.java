package io.gatekit.engine.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Router#replace}: one route changed in place must route exactly as a router built anew. */
class RouterReplaceTest {

    private static final String[] URIS = {"/a", "/a/b", "/c", "/a/*", "/a/b/*", "/*", "/a/:x", "/a/:x/d",
        "/c/*", "/c/d", "/ab*", "/a/b/c/*"};
    private static final String[] PATHS = {"/a", "/a/b", "/a/b/c", "/a/b/c/e", "/a/z", "/a/z/d", "/c", "/c/d",
        "/c/e", "/x", "/", "/abc", "/ab"};
    private static final String[] METHODS = {"GET", "POST"};

    private static RouteSpec<String> randomRoute(Random random, String id) {
        List<String> uris = new ArrayList<>();
        int count = 1 + random.nextInt(2);
        for (int i = 0; i < count; i++) {
            uris.add(URIS[random.nextInt(URIS.length)]);
        }
        RouteSpec.Builder<String> builder = RouteSpec.builder(id, id + "@" + random.nextInt(1000)).uris(uris)
                .priority(random.nextInt(3));
        if (random.nextInt(4) == 0) {
            builder.methods(METHODS[random.nextInt(METHODS.length)]);
        }
        return builder.build();
    }

    /** Every path and method, and the payload each matches (null for none). */
    private static List<String> answers(Router<String> router) {
        List<String> answers = new ArrayList<>();
        for (String path : PATHS) {
            for (String method : METHODS) {
                Match<String> match = router.match(method, "example.com", path, "10.0.0.1", null);
                answers.add(method + " " + path + " -> " + payload(match));
            }
        }
        return answers;
    }

    private static @Nullable String payload(@Nullable Match<String> match) {
        return match == null ? null : match.payload();
    }

    private static Router<String> built(Map<String, RouteSpec<String>> routes) {
        Router.Builder<String> builder = Router.builder();
        routes.values().forEach(builder::add);
        return builder.build();
    }

    @Test
    void replacingAddingAndRemovingRoutesOneByOneRoutesAsARouterBuiltFromTheResult() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            Map<String, RouteSpec<String>> model = new LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                model.put("r" + i, randomRoute(random, "r" + i));
            }
            Router<String> router = built(model);
            for (int step = 0; step < 60; step++) {
                String id = "r" + random.nextInt(16);
                RouteSpec<String> old = model.get(id);
                Router<String> before = router;
                List<String> answersBefore = answers(before);
                if (old != null && random.nextInt(3) == 0) {
                    model.remove(id);
                    router = router.replace(old, null);
                } else {
                    RouteSpec<String> route = randomRoute(random, id);
                    model.put(id, route); // as a LinkedHashMap: a known id keeps its place, a new one goes last
                    router = router.replace(old, route);
                }
                String context = "seed " + seed + ", step " + step + ", route " + id;
                assertEquals(answers(built(model)), answers(router), context);
                assertEquals(model.size(), router.size(), context);
                assertEquals(answersBefore, answers(before), context + ": the old router changed");
            }
        }
    }

    @Test
    void replacingARouteTheRouterDoesNotHoldIsRefusedNamingIt() {
        Router<String> router = Router.<String>builder().add(RouteSpec.builder("a", "a").uris("/a").build()).build();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> router.replace(RouteSpec.builder("b", "b").uris("/b").build(), null));

        assertEquals("old: route \"b\" (expected: a route of this router)", e.getMessage());
    }
}
