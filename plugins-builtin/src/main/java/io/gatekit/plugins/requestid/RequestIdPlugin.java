package io.gatekit.plugins.requestid;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;

/**
 * A {@code request-id} instance: {@code rewrite} gives the request its id (or keeps the one it
 * has); with {@code include_in_response}, {@code header_filter} hands it to the client unless the
 * response already has one. Two classes, because the engine skips phases a class does not
 * implement: without {@code include_in_response} there is no {@code header_filter} to run.
 */
class RequestIdPlugin implements Plugin {

    private final AttributeKey<String> id = AttributeKey.of("request-id", String.class);
    final String header;
    private final IdGenerator generator;

    RequestIdPlugin(String header, IdGenerator generator) {
        this.header = header;
        this.generator = generator;
    }

    static Plugin create(String header, boolean includeInResponse, IdGenerator generator) {
        return includeInResponse ? new Echoing(header, generator) : new RequestIdPlugin(header, generator);
    }

    @Override
    public final Outcome rewrite(Exchange exchange) {
        HttpHeaders headers = exchange.request().headers();
        String value = headers.get(header);
        if (value == null || value.isEmpty()) {
            value = generator.next();
            headers.set(header, value);
        }
        exchange.attr(id, value);
        return Outcome.proceed();
    }

    /** The id {@code rewrite} gave this request, or null when it did not run. */
    final String id(Exchange exchange) {
        return exchange.attr(id);
    }

    /** Also in {@code header_filter}: the client gets the id too. */
    private static final class Echoing extends RequestIdPlugin {
        Echoing(String header, IdGenerator generator) {
            super(header, generator);
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            HttpHeaders headers = exchange.response().headers();
            String present = headers.get(header);
            String value = id(exchange);
            if ((present == null || present.isEmpty()) && value != null) {
                headers.set(header, value);
            }
            return Completion.done();
        }
    }
}
