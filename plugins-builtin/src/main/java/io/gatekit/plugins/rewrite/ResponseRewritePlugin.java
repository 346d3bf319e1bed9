package io.gatekit.plugins.rewrite;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.match.VarsExpression;
import io.gatekit.plugins.support.HeaderOps;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A {@code response-rewrite} instance. {@code header_filter} decides, with {@code vars}, whether
 * this response is changed and changes status and headers; {@code body_filter} then replaces or
 * filters the body as it streams, keeping per-request state in an exchange attribute.
 */
final class ResponseRewritePlugin implements Plugin {

    /** One {@code filters} entry, compiled. */
    record Substitution(Pattern pattern, NgxReplacement replacement, boolean global) {
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Per request: the body gathered so far for the filters, and how it is encoded. */
    private static final class Gathered {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final @Nullable String encoding;

        Gathered(@Nullable String encoding) {
            this.encoding = encoding;
        }
    }

    private static final Object REPLACE = new Object();

    /** Per instance: set when this response is to get a new body ({@link #REPLACE}) or filtered ({@link Gathered}). */
    private final AttributeKey<Object> bodyState = AttributeKey.of("response-rewrite body", Object.class);
    private final @Nullable VarsExpression vars;
    private final @Nullable Integer status;
    private final HeaderOps headers;
    private final byte @Nullable [] body;
    private final List<Substitution> filters;
    private final long maxBody;
    private final System.Logger log;

    ResponseRewritePlugin(ResponseRewriteFactory.Config config, HeaderOps headers, byte @Nullable [] body,
            List<Substitution> filters, System.Logger log) {
        this.vars = config.vars();
        this.status = config.statusCode();
        this.headers = headers;
        this.body = body;
        this.filters = filters;
        this.maxBody = config.maxRespBodySize();
        this.log = log;
    }

    @Override
    public Completion headerFilter(Exchange exchange) {
        if (vars != null && !vars.test(exchange)) {
            return Completion.done();
        }
        HttpResponse response = exchange.response();
        if (status != null) {
            response.status(status);
        }
        if (body != null || !filters.isEmpty()) {
            HttpHeaders h = response.headers();
            String encoding = h.get("content-encoding");
            if (!filters.isEmpty() && !decodable(encoding)) {
                log.log(Level.ERROR, () -> "filters may not work as expected due to unsupported compression"
                        + " encoding type: " + encoding + "; the body is left as it is");
            } else {
                h.remove("content-length");
                h.remove("content-encoding");
                h.remove("etag");
                h.remove("last-modified");
                exchange.attr(bodyState, body != null ? REPLACE : new Gathered(encoding));
            }
        }
        if (!headers.isEmpty()) {
            headers.apply(response.headers(), exchange, false, null);
        }
        return Completion.done();
    }

    @Override
    public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
        Object state = exchange.attr(bodyState);
        if (state == null) {
            return chunk;
        }
        if (state == REPLACE) {
            return last ? ByteBuffer.wrap(body) : EMPTY;
        }
        Gathered gathered = (Gathered) state;
        long room = maxBody - gathered.bytes.size();
        if (room > 0) {
            int take = (int) Math.min(room, chunk.remaining());
            byte[] part = new byte[take];
            chunk.get(part);
            gathered.bytes.writeBytes(part);
        }
        if (!last) {
            return EMPTY;
        }
        return ByteBuffer.wrap(filtered(gathered));
    }

    private byte[] filtered(Gathered gathered) {
        byte[] raw = gathered.bytes.toByteArray();
        String text;
        try {
            text = new String(decode(raw, gathered.encoding), StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.log(Level.ERROR, () -> "filters may not work as expected: " + e);
            return raw;
        }
        for (Substitution s : filters) {
            Matcher m = s.pattern().matcher(text);
            StringBuilder out = new StringBuilder(text.length());
            int at = 0;
            while (m.find()) {
                out.append(text, at, m.start()).append(s.replacement().expand(m));
                at = m.end();
                if (!s.global()) {
                    break;
                }
            }
            out.append(text, at, text.length());
            text = out.toString();
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean decodable(@Nullable String encoding) {
        if (encoding == null) {
            return true;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        return e.isEmpty() || e.equals("identity") || e.equals("gzip") || e.equals("x-gzip") || e.equals("deflate");
    }

    private static byte[] decode(byte[] raw, @Nullable String encoding) throws IOException {
        if (encoding == null) {
            return raw;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        InputStream in = switch (e) {
            case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(raw));
            default -> null;
        };
        if (in == null) {
            return raw;
        }
        try (in) {
            return in.readAllBytes();
        }
    }
}
