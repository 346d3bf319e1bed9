package io.gatekit.engine.internal.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.expr.VarSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Goal P3: route lookup at 10,000 routes costs at most 3× what it costs at 10, and an exact uri
 * is matched without allocating.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RouterBenchmark -prof gc</pre>
 *
 * <p>The routes mix what gateways carry: half exact uris ({@code /api/v2/svc17/items}), a quarter
 * prefixes ({@code /static/site18/*}), a quarter with parameters
 * ({@code /api/v1/users19/:id/orders/:order}), some restricted by methods, wildcard hosts or
 * {@code vars}, plus a catch-all {@code /*}. 1,024 requests, each aimed at a route drawn at
 * random, are generated up front; every call checks that the intended route matched.
 * <ul>
 *   <li>{@code mixed}: the requests as drawn; parameter matches allocate their {@link Match}.</li>
 *   <li>{@code exact}: only requests for exact uris; {@code gc.alloc.rate.norm} must be 0.</li>
 *   <li>{@code miss}: paths no specific route has, answered by the catch-all after a walk down
 *       the tree.</li>
 * </ul>
 * P3 is the ratio of the {@code routes=10000} score to the {@code routes=10} score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RouterBenchmark {

    private static final int REQUESTS = 1024;
    private static final int MASK = REQUESTS - 1;
    private static final String HOST = "shop.example.com";
    private static final String CLIENT = "10.1.2.3";

    @Param({"10", "10000"})
    public int routes;

    private Router<Integer> router;
    private final VarSource vars = name -> name.equals("http_x_env") ? "prod" : null;

    private final String[] mixedPaths = new String[REQUESTS];
    private final String[] mixedMethods = new String[REQUESTS];
    private final int[] mixedExpected = new int[REQUESTS];
    private final String[] exactPaths = new String[REQUESTS];
    private final int[] exactExpected = new int[REQUESTS];
    private final String[] missPaths = new String[REQUESTS];
    private int catchAll;
    private int i;

    @Setup
    public void setUp() throws IOException {
        Expr notCanary = Expr.compile(new ObjectMapper().readTree("[[\"http_x_env\", \"~=\", \"canary\"]]"));
        List<RouteSpec<Integer>> specs = new ArrayList<>(routes + 1);
        for (int r = 0; r < routes; r++) {
            RouteSpec.Builder<Integer> spec = RouteSpec.builder("route-" + r, r).uris(uriOf(r));
            if (r % 5 == 0) {
                spec.methods("GET", "POST");
            }
            if (r % 7 == 0) {
                spec.hosts("*.example.com", "example.com");
            }
            if (r % 11 == 0) {
                spec.vars(notCanary);
            }
            specs.add(spec.build());
        }
        catchAll = routes;
        specs.add(RouteSpec.builder("catch-all", catchAll).uris("/*").build());
        router = Router.of(specs);

        SplittableRandom random = new SplittableRandom(42);
        int exact = 0;
        for (int k = 0; k < REQUESTS; k++) {
            int r = random.nextInt(routes);
            mixedPaths[k] = pathTo(r, k);
            mixedMethods[k] = r % 5 == 0 && k % 2 == 0 ? "POST" : "GET";
            mixedExpected[k] = r;
            missPaths[k] = "/unknown/" + r + "/page" + k;
        }
        while (exact < REQUESTS) {
            int r = random.nextInt(routes);
            if (r % 4 < 2) {
                exactPaths[exact] = pathTo(r, exact);
                exactExpected[exact++] = r;
            }
        }
        for (int k = 0; k < REQUESTS; k++) {
            check(router.match(mixedMethods[k], HOST, mixedPaths[k], CLIENT, vars), mixedExpected[k], mixedPaths[k]);
            check(router.match("GET", HOST, exactPaths[k], CLIENT, vars), exactExpected[k], exactPaths[k]);
            check(router.match("GET", HOST, missPaths[k], CLIENT, vars), catchAll, missPaths[k]);
        }
    }

    private static String uriOf(int r) {
        return switch (r % 4) {
            case 0, 1 -> "/api/v" + (r % 3) + "/svc" + r + "/items";
            case 2 -> "/static/site" + r + "/*";
            default -> "/api/v1/users" + r + "/:id/orders/:order";
        };
    }

    /** A path that route {@code r} matches; {@code k} varies the parts a route does not fix. */
    private static String pathTo(int r, int k) {
        return switch (r % 4) {
            case 0, 1 -> "/api/v" + (r % 3) + "/svc" + r + "/items";
            case 2 -> "/static/site" + r + "/js/app" + k + ".js";
            default -> "/api/v1/users" + r + "/u" + k + "/orders/" + (k * 31);
        };
    }

    @Benchmark
    public Match<Integer> mixed() {
        int k = i++ & MASK;
        return check(router.match(mixedMethods[k], HOST, mixedPaths[k], CLIENT, vars), mixedExpected[k], mixedPaths[k]);
    }

    @Benchmark
    public Match<Integer> exact() {
        int k = i++ & MASK;
        return check(router.match("GET", HOST, exactPaths[k], CLIENT, vars), exactExpected[k], exactPaths[k]);
    }

    @Benchmark
    public Match<Integer> miss() {
        int k = i++ & MASK;
        return check(router.match("GET", HOST, missPaths[k], CLIENT, vars), catchAll, missPaths[k]);
    }

    private static Match<Integer> check(Match<Integer> match, int expected, String path) {
        if (match == null || match.payload().intValue() != expected) {
            throw new IllegalStateException(path + " matched " + match + ", expected route-" + expected);
        }
        return match;
    }
}
