package io.gatekit.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The application of the filter's own tests: ordinary synchronous servlets, one per behaviour. */
final class TestServlets {

    private TestServlets() {
    }

    static void addTo(ServletContext context) {
        context.addServlet("application", new ApplicationServlet()).addMapping("/");
        context.addServlet("echo", new Echo()).addMapping("/echo/*");
        context.addServlet("stream", new Stream()).addMapping("/stream/*");
        context.addServlet("fail", new Fail()).addMapping("/fail/*");
        context.addServlet("cut", new Cut()).addMapping("/cut/*");
        context.addServlet("teapot", new Teapot()).addMapping("/teapot/*");
    }

    /** What the application saw: method, URI, query, a header, a parameter and the body. */
    static final class Echo extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            PrintWriter out = response.getWriter();
            out.println("method " + request.getMethod());
            out.println("uri " + request.getRequestURI());
            out.println("query " + request.getQueryString());
            out.println("x-added " + request.getHeader("x-added"));
            out.println("p " + request.getParameter("p"));
            out.println("body " + body);
        }
    }

    /** {@code ?kb=N}: N KiB of lower-case letters, written and flushed 16 KiB at a time. */
    static final class Stream extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            int kb = Integer.parseInt(request.getParameter("kb"));
            response.setContentType("application/octet-stream");
            ServletOutputStream out = response.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            for (int written = 0; written < kb * 1024; written += chunk.length) {
                Arrays.fill(chunk, (byte) ('a' + (written / chunk.length) % 26));
                out.write(chunk, 0, Math.min(chunk.length, kb * 1024 - written));
                out.flush();
            }
        }
    }

    /** Throws before answering. */
    static final class Fail extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw new IllegalStateException("the application failed before answering");
        }
    }

    /** Sends 64 KiB and flushes, then throws: the answer breaks off. */
    static final class Cut extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            ServletOutputStream out = response.getOutputStream();
            out.write(new byte[64 * 1024]);
            out.flush();
            throw new IllegalStateException("the application failed half-way through its answer");
        }
    }

    /** {@code sendError(418, ...)}. */
    static final class Teapot extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.sendError(418, "short and stout");
        }
    }
}
