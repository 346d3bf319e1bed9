package com.example.stamp;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;

/** Stamps one header on the request and, if asked, on the response. Stateless and shared. */
final class HeaderStampPlugin implements Plugin {

    private final String name;
    private final String value;
    private final boolean response;

    HeaderStampPlugin(String name, String value, boolean response) {
        this.name = name;
        this.value = value;
        this.response = response;
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
        exchange.request().headers().set(name, value);
        return Outcome.proceed();
    }

    @Override
    public Completion headerFilter(Exchange exchange) {
        if (response && exchange.response() != null) {
            exchange.response().headers().set(name, value);
        }
        return Completion.done();
    }
}
