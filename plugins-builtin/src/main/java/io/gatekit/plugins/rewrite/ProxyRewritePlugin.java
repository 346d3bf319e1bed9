package io.gatekit.plugins.rewrite;

import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.JsonText;
import io.gatekit.plugins.support.HeaderOps;
import io.gatekit.plugins.support.VarTemplate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code proxy-rewrite} instance: runs in {@code rewrite}, in APISIX's order (host, URI, headers,
 * method). Paths here keep their percent-encoding, so a rewritten path is encoded only where it
 * holds what a path may not (space, {@code #}, controls, non-ASCII), never a second time.
 */
final class ProxyRewritePlugin implements Plugin {

    /** One {@code regex_uri} pair. */
    record RegexRule(Pattern pattern, NgxReplacement replacement) {
    }

    /** APISIX's {@code escape_separator}: a {@code ?} from a variable must not start a query. */
    private static final UnaryOperator<String> ESCAPE_SEPARATOR = value -> value.replace("?", "%3F");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final @Nullable VarTemplate uri;
    private final List<RegexRule> regexUri;
    private final @Nullable String method;
    private final @Nullable String host;
    private final HeaderOps headers;
    private final boolean unsafe;

    ProxyRewritePlugin(ProxyRewriteFactory.Config config, List<RegexRule> regexUri, HeaderOps headers) {
        this.uri = config.uri() == null ? null : VarTemplate.parse(config.uri());
        this.regexUri = regexUri;
        this.method = config.method();
        this.host = config.host();
        this.headers = headers;
        this.unsafe = config.useRealRequestUriUnsafe();
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
        HttpRequest request = exchange.request();
        if (host != null) {
            request.headers().set("Host", host);
        }
        MatchResult captures = null;
        if (uri != null || !regexUri.isEmpty() || unsafe) {
            Object result = rewriteUri(exchange, request);
            if (result instanceof Outcome failed) {
                return failed;
            }
            captures = (MatchResult) result;
        }
        if (!headers.isEmpty()) {
            headers.apply(request.headers(), exchange, true, captures);
        }
        if (method != null) {
            request.method(method);
        }
        return Outcome.proceed();
    }

    /** Rewrites path and query; returns the regex match (or null), or the 500 outcome of a failure. */
    private @Nullable Object rewriteUri(Exchange exchange, HttpRequest request) {
        String upstreamUri;
        String queryString = "";
        if (unsafe) {
            upstreamUri = request.uri();
            int q = upstreamUri.indexOf('?');
            queryString = q < 0 ? "" : upstreamUri.substring(q);
        } else {
            upstreamUri = request.path();
        }
        boolean separatorEscaped = false;
        MatchResult captures = null;
        if (uri != null) {
            separatorEscaped = true;
            upstreamUri = uri.resolve(exchange, ESCAPE_SEPARATOR, null);
            if (!queryString.isEmpty()) {
                upstreamUri = upstreamUri.indexOf('?') >= 0
                        ? upstreamUri + "&" + queryString.substring(1) : upstreamUri + queryString;
            }
        } else if (!regexUri.isEmpty()) {
            separatorEscaped = upstreamUri.indexOf('?') < 0;
            for (RegexRule rule : regexUri) {
                Matcher m = rule.pattern().matcher(upstreamUri);
                if (m.find()) {
                    captures = m.toMatchResult();
                    upstreamUri = upstreamUri.substring(0, m.start()) + rule.replacement().expand(captures)
                            + upstreamUri.substring(m.end());
                    break;
                }
            }
        }
        try {
            if (unsafe) {
                int q = upstreamUri.indexOf('?');
                request.path(q < 0 ? upstreamUri : upstreamUri.substring(0, q));
                request.rawQuery(q < 0 ? null : upstreamUri.substring(q + 1));
                return captures;
            }
            if (uri == null && captures == null) {
                return null; // nothing rewritten: the path stays as the client sent it
            }
            int index = separatorEscaped ? upstreamUri.indexOf('?') : -1;
            String path = pathSafe(index < 0 ? upstreamUri : upstreamUri.substring(0, index));
            String query = index < 0 ? null : controlsEscaped(upstreamUri.substring(index + 1));
            String args = request.rawQuery();
            request.path(path);
            request.rawQuery(args == null ? query : query == null ? args : query + "&" + args);
            return captures;
        } catch (IllegalArgumentException e) {
            // e.g. a regex_uri replacement that leaves no leading '/': APISIX's 500 with error_msg
            String message = "failed to substitute the uri " + request.path() + ": " + e.getMessage();
            return Outcome.respond(HttpResponse.of(500, HttpHeaders.of(), JsonText.object("error_msg", message)));
        }
    }

    /** Percent-encodes what a path may not hold as it is: space, '#', '?', controls and non-ASCII. */
    static String pathSafe(String path) {
        int i = 0;
        while (i < path.length() && !needsEscape(path.charAt(i))) {
            i++;
        }
        if (i == path.length()) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length() + 16).append(path, 0, i);
        for (byte b : path.substring(i).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (needsEscape((char) c)) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c <= ' ' || c == '#' || c == '?' || c >= 0x7f;
    }

    /** APISIX's {@code escape_uri_control_chars}: CR, LF and other controls in a query are encoded. */
    static String controlsEscaped(String query) {
        StringBuilder out = null;
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(query.length() + 8).append(query, 0, i);
                }
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? query : out.toString();
    }
}
