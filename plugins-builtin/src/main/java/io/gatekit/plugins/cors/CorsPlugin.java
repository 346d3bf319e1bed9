package io.gatekit.plugins.cors;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code cors} instance, APISIX's logic step for step: {@code rewrite} keeps the request's
 * {@code Origin} and answers {@code OPTIONS}; {@code header_filter} works out the allowed origin
 * and sets the headers, on the upstream's answer and on a preflight's alike.
 */
final class CorsPlugin implements Plugin {

    private static final String ALL_METHODS = "GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE";
    private static final byte[] EMPTY = new byte[0];

    private final AttributeKey<String> origin = AttributeKey.of("cors origin", String.class);
    private final CorsFactory.Config config;
    private final @Nullable Pattern originRegex;
    private final @Nullable Pattern timingRegex;
    /** {@code allow_origins} split at commas, or null when it has no comma. */
    private final @Nullable Set<String> originList;
    private final @Nullable Set<String> timingList;
    /** The metadata lists {@code allow_origins_by_metadata} names, in its order; absent keys left out. */
    private final String[] metadataOrigins;
    private final Map<String, Set<String>> metadataLists = new HashMap<>();
    private final String maxAge;

    CorsPlugin(CorsFactory.Config config, @Nullable Pattern originRegex, @Nullable Pattern timingRegex,
            Map<String, String> metadata) {
        this.config = config;
        this.originRegex = originRegex;
        this.timingRegex = timingRegex;
        this.originList = list(config.allowOrigins());
        this.timingList = config.timingAllowOrigins() == null ? null : list(config.timingAllowOrigins());
        this.metadataOrigins = config.allowOriginsByMetadata() == null ? new String[0]
                : config.allowOriginsByMetadata().stream().map(metadata::get).filter(v -> v != null)
                        .toArray(String[]::new);
        for (String value : metadataOrigins) {
            Set<String> split = list(value);
            if (split != null) {
                metadataLists.put(value, split);
            }
        }
        this.maxAge = Integer.toString(config.maxAge());
    }

    private static @Nullable Set<String> list(String origins) {
        return origins.indexOf(',') < 0 ? null : Set.copyOf(Arrays.asList(origins.split(",")));
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
        String requestOrigin = exchange.request().headers().get("Origin");
        if (requestOrigin != null) {
            exchange.attr(origin, requestOrigin);
        }
        if (exchange.request().method().equals("OPTIONS")) {
            return Outcome.respond(HttpResponse.of(200, HttpHeaders.of(), EMPTY));
        }
        return Outcome.proceed();
    }

    @Override
    public Completion headerFilter(Exchange exchange) {
        String requestOrigin = exchange.attr(origin);
        String allowed = null;
        boolean local = false;
        if (config.allowOriginsByMetadata() != null) {
            allowed = byMetadata(requestOrigin);
            if (!matches(requestOrigin, allowed) && !config.allowOrigins().equals("*")) {
                local = true;
            }
        } else {
            local = true;
        }
        if (local) {
            allowed = originRegex == null ? byList(config.allowOrigins(), originList, requestOrigin)
                    : byRegex(originRegex, requestOrigin);
        }
        if (!matches(requestOrigin, allowed)) {
            allowed = byMetadata(requestOrigin);
        }
        HttpHeaders headers = exchange.response().headers();
        if (!config.allowOrigins().equals("*")) {
            headers.add("Vary", "Origin");
        }
        if (allowed != null) {
            setCorsHeaders(headers, allowed, exchange);
        }
        String timing = null;
        if (timingRegex == null && config.timingAllowOrigins() != null) {
            timing = byList(config.timingAllowOrigins(), timingList, requestOrigin);
        } else if (timingRegex != null) {
            timing = byRegex(timingRegex, requestOrigin);
        }
        if (timing != null && matches(requestOrigin, timing)) {
            headers.set("Timing-Allow-Origin", timing);
        }
        return Completion.done();
    }

    private void setCorsHeaders(HttpHeaders headers, String allowed, Exchange exchange) {
        String methods = config.allowMethods().equals("**") ? ALL_METHODS : config.allowMethods();
        headers.set("Access-Control-Allow-Origin", allowed);
        headers.set("Access-Control-Allow-Methods", methods);
        headers.set("Access-Control-Max-Age", maxAge);
        if (config.exposeHeaders() != null && !config.exposeHeaders().isEmpty()) {
            headers.set("Access-Control-Expose-Headers", config.exposeHeaders());
        }
        if (config.allowHeaders().equals("**")) {
            String asked = exchange.request().headers().get("Access-Control-Request-Headers");
            if (asked == null) {
                headers.remove("Access-Control-Allow-Headers");
            } else {
                headers.set("Access-Control-Allow-Headers", asked);
            }
        } else {
            headers.set("Access-Control-Allow-Headers", config.allowHeaders());
        }
        if (config.allowCredential()) {
            headers.set("Access-Control-Allow-Credentials", "true");
        }
    }

    /** APISIX's {@code process_with_allow_origins}: the value to send, or null when the origin is not listed. */
    private static @Nullable String byList(String origins, @Nullable Set<String> list, @Nullable String requestOrigin) {
        if (origins.equals("**")) {
            return requestOrigin != null ? requestOrigin : "*";
        }
        if (list != null) {
            return requestOrigin != null && list.contains(requestOrigin) ? requestOrigin : null;
        }
        return origins;
    }

    private static @Nullable String byRegex(Pattern regex, @Nullable String requestOrigin) {
        return requestOrigin != null && regex.matcher(requestOrigin).find() ? requestOrigin : null;
    }

    private @Nullable String byMetadata(@Nullable String requestOrigin) {
        for (String origins : metadataOrigins) {
            String allowed = byList(origins, metadataLists.get(origins), requestOrigin);
            if (matches(requestOrigin, allowed)) {
                return requestOrigin;
            }
        }
        return null;
    }

    private static boolean matches(@Nullable String requestOrigin, @Nullable String allowed) {
        return allowed != null && (allowed.equals(requestOrigin) || allowed.equals("*"));
    }
}
