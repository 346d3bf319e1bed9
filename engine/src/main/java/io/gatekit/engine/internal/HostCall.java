package io.gatekit.engine.internal;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamFailure;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The host's handle on one request: the steps of {@link Call}, each handed to the
 * {@link DefaultCall} it wraps. Plugins get that call as their {@link Exchange}, and it is not a
 * {@code Call}: a plugin that casts its exchange to drive the request (complete it mid-phase,
 * say) fails at once with a {@link ClassCastException} instead of corrupting the request. One
 * small object per request, none per plugin.
 */
final class HostCall implements Call {

    private final DefaultCall call;

    HostCall(DefaultCall call) {
        this.call = call;
    }

    @Override
    public Exchange exchange() {
        return call;
    }

    @Override
    public boolean matched() {
        return call.matched();
    }

    @Override
    public @Nullable Upstream resolvedUpstream() {
        return call.resolvedUpstream();
    }

    @Override
    public BodyBuffering bodyBuffering() {
        return call.bodyBuffering();
    }

    @Override
    public boolean filtersBody() {
        return call.filtersBody();
    }

    @Override
    public CompletionStage<Response> serve(Body body, Transport transport, @Nullable Application application) {
        return call.serve(this, body, transport, application);
    }

    @Override
    public Outcome runRequestPhases() {
        return call.runRequestPhases();
    }

    @Override
    public Outcome beforeProxy() {
        return call.beforeProxy();
    }

    @Override
    public Outcome beforeApplication() {
        return call.beforeApplication();
    }

    @Override
    public @Nullable Target target() {
        return call.target();
    }

    @Override
    public void forEachUpstreamHeader(BiConsumer<String, String> sink) {
        call.forEachUpstreamHeader(sink);
    }

    @Override
    public Outcome upstreamFailed(UpstreamFailure failure, boolean replayable) {
        return call.upstreamFailed(failure, replayable);
    }

    @Override
    public Completion upstreamResponse(HttpResponse response) {
        return call.upstreamResponse(response);
    }

    @Override
    public Completion localResponse(HttpResponse response) {
        return call.localResponse(response);
    }

    @Override
    public ByteBuffer bodyFilter(ByteBuffer chunk, boolean last) {
        return call.bodyFilter(chunk, last);
    }

    @Override
    public void complete() {
        call.complete();
    }

    @Override
    public String toString() {
        return call.toString();
    }
}
