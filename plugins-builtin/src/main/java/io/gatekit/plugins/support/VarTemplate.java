package io.gatekit.plugins.support;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text with APISIX variables in it ({@code core.utils.resolve_var}): {@code $name} or
 * {@code ${name}} is replaced by the request variable {@code name} ({@link Exchange#var}), or by
 * nothing when it is unset; {@code ${name ?? fallback}} uses {@code fallback} then. A {@code $}
 * after a backslash is left as it is. Parsed once, when the config is applied; resolving costs one
 * variable lookup per reference and allocates only the result.
 *
 * <pre>{@code
 * VarTemplate key = VarTemplate.parse("$remote_addr $http_x_user");
 * key.resolve(exchange);          // "127.0.0.1 alice"
 * key.resolvedCount(exchange);    // how many references had a value
 * }</pre>
 */
public final class VarTemplate {

    /** APISIX's pattern: {@code (?<!\\)\$(\{\s*([^}]+?)\s*\}|([\w\.]+))}. */
    private static final Pattern REFERENCE = Pattern.compile("(?<!\\\\)\\$(\\{\\s*([^}]+?)\\s*\\}|([\\w.]+))");
    private static final Pattern FALLBACK = Pattern.compile("\\s*\\?\\?\\s*");
    /** {@code $1} or {@code ${1}}: a regex capture, as {@code resolve_var_with_captures}. */
    private static final Pattern CAPTURE = Pattern.compile("(?<!\\\\)\\$\\{?(\\d+)\\}?");

    /** Literal text and references, alternating: {@code parts[i]} is a String or a Reference. */
    private final Object[] parts;
    private final String source;

    private record Reference(String name, @Nullable String fallback) {
    }

    private VarTemplate(Object[] parts, String source) {
        this.parts = parts;
        this.source = source;
    }

    /** Parses {@code text}; any text is a valid template. */
    public static VarTemplate parse(String text) {
        List<Object> parts = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(text.substring(at, m.start()));
            }
            String variable = m.group(2) != null ? m.group(2) : m.group(3);
            String[] segments = FALLBACK.split(variable, -1);
            parts.add(new Reference(segments[0], segments.length > 1 ? segments[1] : null));
            at = m.end();
        }
        if (at < text.length()) {
            parts.add(text.substring(at));
        }
        return new VarTemplate(parts.toArray(), text);
    }

    /** Whether the text has no reference at all: {@link #resolve} always gives the text back. */
    public boolean isLiteral() {
        for (Object part : parts) {
            if (part instanceof Reference) {
                return false;
            }
        }
        return true;
    }

    /** The text with every reference replaced. */
    public String resolve(Exchange exchange) {
        return resolve(exchange, null, null);
    }

    /**
     * The text with every reference replaced, each value passed through {@code escaper} (APISIX's
     * proxy-rewrite escapes {@code ?} in values so that they cannot start a query), and
     * {@code counter[0]} incremented per reference that had a value or a fallback.
     */
    public String resolve(Exchange exchange, @Nullable UnaryOperator<String> escaper, int @Nullable [] counter) {
        if (parts.length == 1) {
            if (parts[0] instanceof String literal) {
                return literal;
            }
            // one reference and nothing else, as "$remote_addr": its value itself, no copy
            Reference ref = (Reference) parts[0];
            String value = exchange.var(ref.name());
            value = value != null ? value : ref.fallback();
            if (value == null) {
                return "";
            }
            if (counter != null) {
                counter[0]++;
            }
            return escaper == null ? value : escaper.apply(value);
        }
        StringBuilder out = new StringBuilder(source.length() + 16);
        for (Object part : parts) {
            if (part instanceof Reference ref) {
                String value = exchange.var(ref.name());
                if (value == null) {
                    value = ref.fallback();
                }
                if (value == null) {
                    continue;
                }
                if (counter != null) {
                    counter[0]++;
                }
                out.append(escaper == null ? value : escaper.apply(value));
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }

    /** How many references of this text have a value (or a fallback) for {@code exchange}. */
    public int resolvedCount(Exchange exchange) {
        int n = 0;
        for (Object part : parts) {
            if (part instanceof Reference ref && (exchange.var(ref.name()) != null || ref.fallback() != null)) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@code text} with {@code $1}, {@code ${2}}, ... replaced by the regex groups of
     * {@code captures} ({@code $0} the whole match), or by nothing when there is no such group or
     * no match at all.
     */
    public static String withCaptures(String text, @Nullable MatchResult captures) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        Matcher m = CAPTURE.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 16);
        int at = 0;
        while (m.find()) {
            out.append(text, at, m.start());
            int group = parseGroup(m.group(1));
            if (captures != null && group >= 0 && group <= captures.groupCount() && captures.group(group) != null) {
                out.append(captures.group(group));
            }
            at = m.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    private static int parseGroup(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
