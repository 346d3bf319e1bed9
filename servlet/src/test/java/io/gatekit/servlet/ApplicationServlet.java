package io.gatekit.servlet;

import io.gatekit.testkit.host.HostSetup;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The application behind the filter, as the conformance suite expects it: every method answers
 * 200, {@code text/plain}, {@link HostSetup#applicationBody}. An ordinary servlet: synchronous,
 * not async-supported.
 */
final class ApplicationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String query = request.getQueryString();
        String pathAndQuery = request.getRequestURI() + (query == null ? "" : "?" + query);
        byte[] received = request.getInputStream().readAllBytes();
        byte[] body = HostSetup.applicationBody(request.getMethod(), pathAndQuery, request.getHeader("content-length"),
                received).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain");
        response.setContentLength(body.length);
        if (!request.getMethod().equals("HEAD")) {
            response.getOutputStream().write(body);
        }
    }
}
