package io.gatekit.gateway.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An upstream on a plain loopback socket, for what a real HTTP server would not do or would
 * hide: it records every request head byte for byte, as received, and answers each with exactly
 * the bytes a test scripts, closing the connection after them when told to (a response cut short).
 */
final class RawUpstream implements AutoCloseable {

    /** The bytes to answer with, and whether to close the connection after them. */
    record Reply(byte[] bytes, boolean close) {
        static Reply of(String raw, boolean close) {
            return new Reply(raw.getBytes(StandardCharsets.ISO_8859_1), close);
        }
    }

    /** Every request head received, in order, as ISO-8859-1 text up to and without the blank line. */
    final List<String> heads = new CopyOnWriteArrayList<>();
    /** Connections accepted so far. */
    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket server;
    private final Function<String, Reply> replies;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    RawUpstream(Function<String, Reply> replies) throws IOException {
        this.replies = replies;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "raw-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The request lines received, in order ("GET /x HTTP/1.1"). */
    List<String> requestLines() {
        return heads.stream().map(head -> head.substring(0, head.indexOf("\r\n"))).toList();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread serving = new Thread(() -> serve(socket), "raw-upstream-conn");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head);
                in.readNBytes(contentLength(head));
                Reply reply = replies.apply(head);
                out.write(reply.bytes());
                out.flush();
                if (reply.close()) {
                    socket.shutdownOutput();
                    return;
                }
            }
        } catch (IOException e) {
            // the gateway went away: nothing to serve
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.length() - 4);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
