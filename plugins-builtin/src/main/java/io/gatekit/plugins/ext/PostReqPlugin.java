package io.gatekit.plugins.ext;

import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;

/** {@code ext-plugin-post-req}: the runner sees the request late in the access phase. */
final class PostReqPlugin extends ReqCallPlugin {

    PostReqPlugin(ExtSetup setup) {
        super(setup);
    }

    @Override
    public Outcome access(Exchange exchange) {
        return callRunner(exchange);
    }
}
