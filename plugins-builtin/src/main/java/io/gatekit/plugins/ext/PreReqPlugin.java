package io.gatekit.plugins.ext;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;

/** {@code ext-plugin-pre-req}: the runner sees the request first thing, in the rewrite phase. */
final class PreReqPlugin extends ReqCallPlugin {

    PreReqPlugin(ExtSetup setup) {
        super(setup);
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
        return callRunner(exchange);
    }
}
