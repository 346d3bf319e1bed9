package io.gatekit.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * An HTTP/2 client over one clear-text socket (prior knowledge) that writes frames as given, for
 * what curl and h2load cannot send: malformed frames, more streams than allowed, floods of
 * SETTINGS or PING, frames never read. Header blocks are coded with Netty's HPACK coder.
 */
final class RawHttp2 implements AutoCloseable {

    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int WINDOW_UPDATE = 8;
    static final int END_STREAM = 0x1;
    static final int END_HEADERS = 0x4;

    /** One frame as read. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        /** A GOAWAY's or RST_STREAM's error code. */
        int errorCode() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            return type == GOAWAY ? b.getInt(4) : b.getInt(0);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    private final java.util.Map<Integer, Http2Headers> answered = new java.util.HashMap<>();

    /** Connects and sends the preface and an empty SETTINGS frame; {@code receiveBuffer} 0: the default. */
    RawHttp2(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
        out.write(ByteBufUtil.getBytes(Http2CodecUtil.connectionPrefaceBuf()));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    RawHttp2(int port) throws IOException {
        this(port, 0);
    }

    /** The bytes of one frame. */
    static byte[] bytes(int type, int flags, int stream, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return b.array();
    }

    /** Writes one frame. */
    RawHttp2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        return write(bytes(type, flags, stream, payload));
    }

    RawHttp2 write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** A GET of {@code path} on {@code stream}, the request complete (END_STREAM). */
    RawHttp2 get(int stream, String path) throws IOException {
        return frame(HEADERS, END_HEADERS | END_STREAM, stream, block(stream, path));
    }

    /** The HPACK block of a GET of {@code path}. */
    byte[] block(int stream, String path) throws IOException {
        Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("http").path(path)
                .authority("h2.test");
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    /** The next frame, or {@code null} at the end of the stream (the server closed). */
    Frame read() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (EOFException | SocketException e) {
            return null;
        }
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        int stream = ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
        return new Frame(head[3], head[4] & 0xff, stream, payload);
    }

    /**
     * Reads until a frame of {@code type} (on {@code stream} unless -1) or the end; ACKs the
     * server's SETTINGS, decodes every header block on the way (HPACK's table is the connection's).
     */
    Frame until(int type, int stream) throws IOException {
        for (Frame f; (f = read()) != null; ) {
            if (f.type() == SETTINGS && (f.flags() & 1) == 0) {
                frame(SETTINGS, 1, 0, new byte[0]);
            }
            if (f.type() == HEADERS) {
                try {
                    answered.put(f.stream(), decoder.decodeHeaders(f.stream(), Unpooled.wrappedBuffer(f.payload())));
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            if (f.type() == type && (stream < 0 || f.stream() == stream)) {
                return f;
            }
        }
        return null;
    }

    /** The decoded response headers of {@code stream}, read off the connection. */
    Http2Headers response(int stream) throws IOException {
        if (!answered.containsKey(stream) && until(HEADERS, stream) == null) {
            throw new EOFException("the connection ended before stream " + stream + " was answered");
        }
        return answered.get(stream);
    }

    /** Reads and drops frames until the server closes; the GOAWAY seen on the way, or {@code null}. */
    Frame untilClosed() throws IOException {
        Frame goAway = null;
        try {
            for (Frame f; (f = read()) != null; ) {
                if (f.type() == GOAWAY) {
                    goAway = f;
                }
            }
        } catch (SocketException e) {
            // reset by the server after its GOAWAY: closed too
        }
        return goAway;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
