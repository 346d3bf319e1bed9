package io.gatekit.plugins.mirror;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client that only records what it is asked to send and answers 200 at once: for what no
 * server can observe (the TLS flag, the timeouts handed to the client).
 */
final class RecordingClient implements HttpClient {

    final List<OutboundRequest> sent = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        sent.add(request);
        return CompletableFuture.completedFuture(new OutboundResponse(200, HttpHeaders.of(), new byte[0]));
    }
}
