package io.gatekit.servlet;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.JsonText;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One request on a matched route, served asynchronously: the filter starts the servlet's async
 * cycle, hands the request to {@link Call#serve} and returns; no container thread waits for a
 * plugin or the upstream. The engine's answer is written with non-blocking output.
 *
 * <p>A route without an upstream wraps the application. The application is the rest of the filter
 * chain, which may only run inside a dispatch of this filter: on the request's own dispatch when
 * the request phases finish there (the usual case: synchronous plugins), else on an async
 * dispatch back to this filter ({@link AsyncContext#dispatch()}) once they complete. It writes
 * into an {@link AppResponse} on its own thread; that output reaches the client through the
 * engine's {@code header_filter} and {@code body_filter} with blocking writes on container
 * threads, since its thread produces it synchronously anyway.
 *
 * <p>State shared between the threads involved (the dispatch, the engine's completions, the
 * container's I/O callbacks) is guarded by {@code lock}: which dispatch thread runs now, the async
 * cycle in force (none while an async dispatch runs, until it starts another), and whether the
 * response is finished.
 */
final class ServletExchange {

    /** The request attribute by which the async dispatch finds its exchange. */
    static final String ATTRIBUTE = ServletExchange.class.getName();

    private static final System.Logger LOG = System.getLogger(GatekitFilter.class.getName());

    /**
     * Ends the async cycle when the container reports an error on it (the exception a broken-off
     * response is thrown with, say), for containers that otherwise wait for the application to end
     * it after calling their listeners.
     */
    private static final AsyncListener ENDS_ON_ERROR = new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
            event.getAsyncContext().complete();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    };

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Call call;
    private final Transport transport;
    private final boolean headRequest;
    private final Object lock = new Object();
    /** Container tasks that came while no async cycle was in force; run once one is. */
    private final ArrayDeque<Runnable> parked = new ArrayDeque<>();
    private @Nullable AsyncContext async;
    private volatile @Nullable Thread dispatching;
    private boolean dispatchPending;
    private boolean finished;
    private @Nullable Throwable abort;
    private @Nullable CompletableFuture<Response> application;
    private boolean applicationInvoked;
    private boolean applicationInline;

    ServletExchange(HttpServletRequest request, HttpServletResponse response, Call call, Transport transport) {
        this.request = request;
        this.response = response;
        this.call = call;
        this.transport = transport;
        this.headRequest = "HEAD".equals(request.getMethod());
    }

    /** On the request's dispatch: starts the async cycle and the engine; runs the application if it is due now. */
    void start(FilterChain chain) throws IOException, ServletException {
        AsyncContext context = request.startAsync(request, response);
        context.setTimeout(0); // the engine bounds upstream waits by the route's timeouts
        context.addListener(ENDS_ON_ERROR);
        request.setAttribute(ATTRIBUTE, this);
        synchronized (lock) {
            async = context;
            dispatching = Thread.currentThread();
        }
        try {
            long length = ServletRequests.bodyLength(request);
            Body body = length == 0 ? Body.empty() : Body.of(new RequestBody(request), length);
            CompletionStage<Response> served;
            try {
                served = call.serve(body, transport, this::application);
            } catch (RuntimeException e) {
                served = CompletableFuture.failedStage(e);
            }
            served.whenComplete(this::respond);
            boolean inline;
            synchronized (lock) {
                inline = applicationInline;
            }
            if (inline) {
                runApplication(request, response, chain);
            }
        } finally {
            endDispatch();
        }
    }

    /**
     * On an async dispatch back to the filter: runs the application inside a new async cycle, or
     * breaks off a failed response.
     */
    void resume(HttpServletRequest dispatched, HttpServletResponse dispatchedResponse, FilterChain chain)
            throws IOException, ServletException {
        Throwable failed;
        synchronized (lock) {
            dispatchPending = false;
            failed = abort;
            abort = null;
        }
        if (failed != null) {
            // the response broke off: an exception out of a dispatch makes the container close the
            // connection (its head left) or answer 500 (it did not), so the client cannot take a
            // cut body for a whole one
            throw new ServletException("gatekit: the response broke off: " + failed, failed);
        }
        AsyncContext context = dispatched.startAsync(dispatched, dispatchedResponse);
        context.setTimeout(0);
        context.addListener(ENDS_ON_ERROR);
        ArrayDeque<Runnable> tasks;
        synchronized (lock) {
            async = context;
            dispatching = Thread.currentThread();
            tasks = new ArrayDeque<>(parked);
            parked.clear();
        }
        try {
            tasks.forEach(context::start);
            runApplication(dispatched, dispatchedResponse, chain);
        } finally {
            endDispatch();
        }
    }

    /** Whether an async dispatch of this exchange is due (the filter's async-dispatch check). */
    boolean awaitsDispatch() {
        synchronized (lock) {
            return dispatchPending;
        }
    }

    // ---- the application ----

    /** The engine hands the request to the application: now, on this dispatch, or on an async dispatch. */
    private CompletionStage<Response> application(HttpRequest engineRequest, Body body) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        AsyncContext context = null;
        synchronized (lock) {
            application = answer;
            applicationInvoked = true;
            if (Thread.currentThread() == dispatching) {
                applicationInline = true; // run once call.serve has returned: the engine is listening then
            } else {
                context = async;
                async = null;
                dispatchPending = true;
            }
        }
        if (context != null) {
            context.dispatch();
        } else if (!applicationInline) {
            answer.completeExceptionally(new IllegalStateException("no async cycle to run the application on"));
        }
        return answer;
    }

    private void runApplication(HttpServletRequest container, HttpServletResponse containerResponse,
            FilterChain chain) {
        CompletableFuture<Response> answer;
        synchronized (lock) {
            answer = application;
        }
        if (answer == null) {
            return;
        }
        AppResponse app = new AppResponse(containerResponse, answer::complete);
        try {
            chain.doFilter(new AppRequest(container, call.exchange().request()), app);
            app.finish();
        } catch (IOException | ServletException | RuntimeException | Error e) {
            if (!app.fail(e)) {
                answer.completeExceptionally(e); // nothing was sent: the engine answers 500 and logs it
            } else {
                LOG.log(Level.ERROR, "the application failed after its response started on route ["
                        + call.exchange().routeId() + "]", e);
            }
        }
    }

    // ---- the response ----

    /** The engine's answer: its head now, its body as it streams; on the thread that completed it. */
    private void respond(@Nullable Response answer, @Nullable Throwable error) {
        Response out = answer;
        if (out == null) { // serve never fails; this is a defect, answered as the engine would
            LOG.log(Level.ERROR, "the engine failed to answer a request", error);
            out = Response.of(500, HttpHeaders.of("content-type", "application/json"),
                    JsonText.errorBody("500 Internal Server Error"));
        }
        CompletionStage<Void> written;
        try {
            ResponseWriter.head(response, out, headRequest);
            boolean onDispatch = Thread.currentThread() == dispatching;
            boolean fromApplication;
            synchronized (lock) {
                fromApplication = applicationInvoked;
            }
            written = onDispatch || fromApplication
                    ? ResponseWriter.blocking(response, out.body(), this::onContainer)
                    : ResponseWriter.nonBlocking(response, out.body());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedStage(e);
        }
        written.whenComplete((done, failure) -> finish(failure));
    }

    /**
     * Runs {@code task} on a container thread: this one, when it is the dispatch thread, else one
     * the async cycle provides ({@link AsyncContext#start}); parked while an async dispatch runs
     * without a cycle of its own yet.
     */
    private void onContainer(Runnable task) {
        if (Thread.currentThread() == dispatching) {
            task.run();
            return;
        }
        AsyncContext context;
        synchronized (lock) {
            context = async;
            if (context == null) {
                parked.add(task);
                return;
            }
        }
        context.start(task);
    }

    /** The response is written, or failed; ends the async cycle (or has the running dispatch end it). */
    private void finish(@Nullable Throwable error) {
        Throwable failure = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        AsyncContext context;
        boolean breakOff;
        synchronized (lock) {
            if (finished) {
                return;
            }
            finished = true;
            breakOff = failure != null && !(failure instanceof ClientGone);
            context = async;
            if (breakOff && dispatching != null) {
                abort = failure; // the running dispatch throws it as it returns
                context = null;
            } else if (breakOff) {
                abort = failure;
                async = null;
                dispatchPending = true;
            }
        }
        if (failure != null) {
            LOG.log(Level.DEBUG, () -> "writing the response of route [" + call.exchange().routeId()
                    + "] failed", failure);
        }
        if (context == null) {
            return; // a dispatch runs: it ends the exchange as it returns
        }
        if (breakOff) {
            context.dispatch();
        } else {
            context.complete();
        }
    }

    /** The dispatch returns; a response that broke off while it ran is broken off now. */
    private void endDispatch() throws ServletException {
        Throwable failed = null;
        synchronized (lock) {
            dispatching = null;
            if (finished && abort != null && !dispatchPending) {
                failed = abort;
                abort = null;
            }
        }
        if (failed != null) {
            throw new ServletException("gatekit: the response broke off: " + failed, failed);
        }
    }
}
