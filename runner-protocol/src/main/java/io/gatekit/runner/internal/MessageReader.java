package io.gatekit.runner.internal;

import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.HttpMethod;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerException;
import io.gatekit.runner.TextEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes payloads into the public value types. Readers are reused, so one instance belongs to one
 * connection (or one thread). A payload that cannot be decoded fails with a
 * {@link RunnerException.Kind#PROTOCOL} error instead of whatever the bytes would have thrown.
 *
 * <p>Field ids follow {@code src/main/fbs/ext-plugin.fbs}.
 */
public final class MessageReader {

    private final FlatTable root = new FlatTable();
    private final FlatTable child = new FlatTable();
    private final FlatTable entry = new FlatTable();

    /** A decoded {@code PrepareConf.Req}. */
    public record PrepareConf(List<TextEntry> plugins, String key) {
    }

    public PrepareConf prepareConf(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            String key = table.string(1);
            return new PrepareConf(entries(table, 0), key == null ? "" : key);
        } catch (RuntimeException e) {
            throw malformed("PrepareConf.Req", e);
        }
    }

    public long prepareConfResp(ByteBuffer payload) {
        try {
            return root.root(payload).uint32(0);
        } catch (RuntimeException e) {
            throw malformed("PrepareConf.Resp", e);
        }
    }

    public HttpReqCall httpReqCall(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            HttpReqCall.Builder call = HttpReqCall.builder()
                    .id(table.uint32(0))
                    .method(HttpMethod.ofCode(table.ubyte(2)))
                    .args(entries(table, 4))
                    .headers(entries(table, 5));
            ByteBuffer ip = table.bytes(1);
            if (ip != null) {
                call.sourceIp(copy(ip));
            }
            String path = table.string(3);
            if (path != null) {
                call.path(path);
            }
            return call.build();
        } catch (RuntimeException e) {
            throw malformed("HTTPReqCall.Req", e);
        }
    }

    /** The {@code conf_token} of an {@code HTTPReqCall.Req} ({@code id} 6). */
    public long httpReqCallToken(ByteBuffer payload) {
        try {
            return root.root(payload).uint32(6);
        } catch (RuntimeException e) {
            throw malformed("HTTPReqCall.Req", e);
        }
    }

    public ReqAction reqAction(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            int type = table.ubyte(1);
            FlatTable action = table.union(2, child);
            if (type == 0) {
                return ReqAction.none();
            }
            if (action == null) {
                throw new IllegalArgumentException("action_type " + type + " without an action");
            }
            if (type == 1) {
                return stop(action);
            }
            if (type == 2) {
                return rewrite(action);
            }
            throw new IllegalArgumentException("action_type: " + type + " (expected: 0..2)");
        } catch (RuntimeException e) {
            throw malformed("HTTPReqCall.Resp", e);
        }
    }

    /** The {@code id} a response echoes ({@code id} 0 in both call responses). */
    public long responseId(ByteBuffer payload) {
        try {
            return root.root(payload).uint32(0);
        } catch (RuntimeException e) {
            throw malformed("response", e);
        }
    }

    public HttpRespCall httpRespCall(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            return HttpRespCall.builder()
                    .id(table.uint32(0))
                    .status(table.uint16(1))
                    .headers(entries(table, 2))
                    .build();
        } catch (RuntimeException e) {
            throw malformed("HTTPRespCall.Req", e);
        }
    }

    /** The {@code conf_token} of an {@code HTTPRespCall.Req} ({@code id} 3). */
    public long httpRespCallToken(ByteBuffer payload) {
        try {
            return root.root(payload).uint32(3);
        } catch (RuntimeException e) {
            throw malformed("HTTPRespCall.Req", e);
        }
    }

    public Reply respCallResult(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            List<TextEntry> headers = entries(table, 2);
            ByteBuffer body = table.bytes(3);
            if (table.uint16(1) == 0 && headers.isEmpty() && (body == null || !body.hasRemaining())) {
                return Reply.empty();
            }
            Reply.Builder result = Reply.builder().status(table.uint16(1));
            for (TextEntry header : headers) {
                result.addHeader(header);
            }
            if (body != null) {
                result.body(body);
            }
            return result.build();
        } catch (RuntimeException e) {
            throw malformed("HTTPRespCall.Resp", e);
        }
    }

    public ExtraInfo extraInfoReq(ByteBuffer payload) {
        try {
            FlatTable table = root.root(payload);
            int type = table.ubyte(0);
            switch (type) {
                case 1:
                    FlatTable var = table.union(1, child);
                    String name = var == null ? null : var.string(0);
                    if (name == null) {
                        throw new IllegalArgumentException("Var without a name");
                    }
                    return ExtraInfo.var(name);
                case 2:
                    return ExtraInfo.requestBody();
                case 3:
                    return ExtraInfo.responseBody();
                default:
                    throw new IllegalArgumentException("info_type: " + type + " (expected: 1..3)");
            }
        } catch (RuntimeException e) {
            throw malformed("ExtraInfo.Req", e);
        }
    }

    /** The result, or {@code null} when absent (the value does not exist). */
    public byte[] extraInfoResp(ByteBuffer payload) {
        try {
            ByteBuffer result = root.root(payload).bytes(0);
            return result == null ? null : copy(result);
        } catch (RuntimeException e) {
            throw malformed("ExtraInfo.Resp", e);
        }
    }

    public int err(ByteBuffer payload) {
        try {
            return root.root(payload).ubyte(0);
        } catch (RuntimeException e) {
            throw malformed("Err.Resp", e);
        }
    }

    private Reply stop(FlatTable table) {
        Reply.Builder stop = ReqAction.stop().status(table.uint16(0));
        for (TextEntry header : entries(table, 1)) {
            stop.addHeader(header);
        }
        ByteBuffer body = table.bytes(2);
        if (body != null) {
            stop.body(body);
        }
        return stop.build();
    }

    private ReqAction.Rewrite rewrite(FlatTable table) {
        ReqAction.Rewrite.Builder rewrite = ReqAction.rewrite();
        String path = table.string(0);
        if (path != null) {
            rewrite.path(path);
        }
        for (TextEntry header : entries(table, 1)) {
            rewrite.addHeader(header);
        }
        for (TextEntry arg : entries(table, 2)) {
            rewrite.addArg(arg);
        }
        for (TextEntry header : entries(table, 3)) {
            rewrite.addRespHeader(header);
        }
        ByteBuffer body = table.bytes(4);
        if (body != null) {
            rewrite.body(body);
        }
        return rewrite.build();
    }

    /** A [TextEntry] field; an entry without a name is a protocol error (nothing could use it). */
    private List<TextEntry> entries(FlatTable table, int id) {
        int count = table.length(id);
        if (count == 0) {
            return List.of();
        }
        if (count < 0 || count > table.getByteBuffer().limit() / 4) {
            throw new IllegalArgumentException("vector length: " + count + " (expected: what the payload can hold)");
        }
        List<TextEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            FlatTable e = table.entry(id, i, entry);
            String name = e.string(0);
            if (name == null) {
                throw new IllegalArgumentException("TextEntry without a name");
            }
            entries.add(new TextEntry(name, e.string(1)));
        }
        return entries;
    }

    private static byte[] copy(ByteBuffer view) {
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    private static RunnerException malformed(String message, RuntimeException cause) {
        if (cause instanceof RunnerException) {
            return (RunnerException) cause;
        }
        return new RunnerException(RunnerException.Kind.PROTOCOL,
                "cannot decode " + message + ": " + cause, cause);
    }
}
