package io.gatekit.runner.internal;

import com.google.flatbuffers.FlatBufferBuilder;
import io.gatekit.runner.ExtraInfo;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.HttpRespCall;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.Reply;
import io.gatekit.runner.RunnerConf;
import io.gatekit.runner.TextEntry;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes every protocol message into one reusable {@link FlatBufferBuilder}. Each method returns
 * the finished payload as a view that stays valid until the next call, so one writer belongs to one
 * connection (or one thread).
 *
 * <p>Field ids follow {@code src/main/fbs/ext-plugin.fbs}. Scalars equal to their default (0) are
 * left out, as every FlatBuffers writer does, so readers see them as 0.
 */
public final class MessageWriter {

    private static final int ACTION_STOP = 1;
    private static final int ACTION_REWRITE = 2;
    private static final int INFO_VAR = 1;
    private static final int INFO_REQ_BODY = 2;
    private static final int INFO_RESP_BODY = 3;

    private final FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    private int[] offsets = new int[16];

    public ByteBuffer prepareConf(RunnerConf conf) {
        fbb.clear();
        int confVector = conf.plugins().isEmpty() ? 0 : entries(conf.plugins());
        int key = fbb.createString(conf.key());
        fbb.startTable(2);
        addOffset(0, confVector);
        fbb.addOffset(1, key, 0);
        return finish(fbb.endTable());
    }

    public ByteBuffer prepareConfResp(long token) {
        fbb.clear();
        fbb.startTable(1);
        fbb.addInt(0, (int) token, 0);
        return finish(fbb.endTable());
    }

    public ByteBuffer httpReqCall(HttpReqCall call, long token) {
        fbb.clear();
        byte[] ip = call.sourceIp();
        int srcIp = ip.length == 0 ? 0 : fbb.createByteVector(ip);
        int path = fbb.createString(call.path());
        int args = entriesOrNone(call.args());
        int headers = entriesOrNone(call.headers());
        fbb.startTable(7);
        fbb.addInt(0, (int) call.id(), 0);
        addOffset(1, srcIp);
        fbb.addByte(2, (byte) call.method().code(), 0);
        fbb.addOffset(3, path, 0);
        addOffset(4, args);
        addOffset(5, headers);
        fbb.addInt(6, (int) token, 0);
        return finish(fbb.endTable());
    }

    public ByteBuffer reqAction(long id, ReqAction action) {
        fbb.clear();
        int type = 0;
        int table = 0;
        if (action instanceof Reply) {
            type = ACTION_STOP;
            table = stop((Reply) action);
        } else if (action instanceof ReqAction.Rewrite) {
            type = ACTION_REWRITE;
            table = rewrite((ReqAction.Rewrite) action);
        }
        fbb.startTable(3);
        fbb.addInt(0, (int) id, 0);
        fbb.addByte(1, (byte) type, 0);
        addOffset(2, table);
        return finish(fbb.endTable());
    }

    public ByteBuffer httpRespCall(HttpRespCall call, long token) {
        fbb.clear();
        int headers = entriesOrNone(call.headers());
        fbb.startTable(4);
        fbb.addInt(0, (int) call.id(), 0);
        fbb.addShort(1, (short) call.status(), 0);
        addOffset(2, headers);
        fbb.addInt(3, (int) token, 0);
        return finish(fbb.endTable());
    }

    public ByteBuffer respCallResult(long id, Reply result) {
        fbb.clear();
        int headers = entriesOrNone(result.headers());
        int body = bytesOrNone(result.body());
        fbb.startTable(4);
        fbb.addInt(0, (int) id, 0);
        fbb.addShort(1, (short) result.status(), 0);
        addOffset(2, headers);
        addOffset(3, body);
        return finish(fbb.endTable());
    }

    public ByteBuffer extraInfoReq(ExtraInfo info) {
        fbb.clear();
        int type;
        int table;
        if (info instanceof ExtraInfo.Var) {
            int name = fbb.createString(((ExtraInfo.Var) info).name());
            fbb.startTable(1);
            fbb.addOffset(0, name, 0);
            table = fbb.endTable();
            type = INFO_VAR;
        } else {
            fbb.startTable(0);
            table = fbb.endTable();
            type = info instanceof ExtraInfo.ReqBody ? INFO_REQ_BODY : INFO_RESP_BODY;
        }
        fbb.startTable(2);
        fbb.addByte(0, (byte) type, 0);
        fbb.addOffset(1, table, 0);
        return finish(fbb.endTable());
    }

    /** An answer; {@code null} leaves the result out, which the runner reads as "no value". */
    public ByteBuffer extraInfoResp(byte[] result) {
        fbb.clear();
        int vector = result == null ? 0 : fbb.createByteVector(result);
        fbb.startTable(1);
        addOffset(0, vector);
        return finish(fbb.endTable());
    }

    public ByteBuffer err(int code) {
        fbb.clear();
        fbb.startTable(1);
        fbb.addByte(0, (byte) code, 0);
        return finish(fbb.endTable());
    }

    private int stop(Reply stop) {
        int headers = entriesOrNone(stop.headers());
        int body = bytesOrNone(stop.body());
        fbb.startTable(3);
        fbb.addShort(0, (short) stop.status(), 0);
        addOffset(1, headers);
        addOffset(2, body);
        return fbb.endTable();
    }

    private int rewrite(ReqAction.Rewrite rewrite) {
        int path = rewrite.path().map(fbb::createString).orElse(0);
        int headers = entriesOrNone(rewrite.headers());
        int args = entriesOrNone(rewrite.args());
        int respHeaders = entriesOrNone(rewrite.respHeaders());
        int body = bytesOrNone(rewrite.body());
        fbb.startTable(5);
        addOffset(0, path);
        addOffset(1, headers);
        addOffset(2, args);
        addOffset(3, respHeaders);
        addOffset(4, body);
        return fbb.endTable();
    }

    private int entriesOrNone(List<TextEntry> entries) {
        return entries.isEmpty() ? 0 : entries(entries);
    }

    /** A [TextEntry] vector; each entry's strings are written before its table, as FlatBuffers needs. */
    private int entries(List<TextEntry> entries) {
        int count = entries.size();
        if (offsets.length < count) {
            offsets = new int[Math.max(count, offsets.length * 2)];
        }
        for (int i = 0; i < count; i++) {
            TextEntry entry = entries.get(i);
            int name = fbb.createString(entry.name());
            int value = entry.value() == null ? 0 : fbb.createString(entry.value());
            fbb.startTable(2);
            fbb.addOffset(0, name, 0);
            addOffset(1, value);
            offsets[i] = fbb.endTable();
        }
        fbb.startVector(4, count, 4);
        for (int i = count - 1; i >= 0; i--) {
            fbb.addOffset(offsets[i]);
        }
        return fbb.endVector();
    }

    private int bytesOrNone(ByteBuffer bytes) {
        return bytes.hasRemaining() ? fbb.createByteVector(bytes) : 0;
    }

    /** Adds an offset field only when it was written: 0 means absent here. */
    private void addOffset(int id, int offset) {
        if (offset != 0) {
            fbb.addOffset(id, offset, 0);
        }
    }

    private ByteBuffer finish(int root) {
        fbb.finish(root);
        return fbb.dataBuffer();
    }
}
