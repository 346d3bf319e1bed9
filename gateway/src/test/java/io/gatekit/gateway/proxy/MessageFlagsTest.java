package io.gatekit.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageFlagsTest {

    /** Requests and responses of both versions with each Connection and Transfer-Encoding form. */
    private static List<HttpMessage> messages() {
        List<HttpMessage> all = new ArrayList<>();
        String[][] headerSets = {
            {},
            {"Connection", "close"},
            {"Connection", "keep-alive"},
            {"Connection", "Keep-Alive, Upgrade"},
            {"Connection", "upgrade", "Connection", "CLOSE"},
            {"Transfer-Encoding", "chunked"},
            {"Transfer-Encoding", "gzip, chunked"},
            {"Transfer-Encoding", "gzip"},
            {"Transfer-Encoding", "gzip", "Transfer-Encoding", "Chunked"},
        };
        for (HttpVersion version : List.of(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1)) {
            for (String[] headers : headerSets) {
                HttpMessage request = new DefaultHttpRequest(version, HttpMethod.GET, "/");
                HttpMessage response = new DefaultHttpResponse(version, HttpResponseStatus.OK);
                for (int i = 0; i < headers.length; i += 2) {
                    request.headers().add(headers[i], headers[i + 1]);
                    response.headers().add(headers[i], headers[i + 1]);
                }
                all.add(request);
                all.add(response);
            }
        }
        return all;
    }

    @Test
    void keepAliveAnswersAsNettyForEveryVersionAndConnectionHeader() {
        for (HttpMessage message : messages()) {
            assertEquals(HttpUtil.isKeepAlive(message), MessageFlags.keepAlive(message), message.toString());
        }
    }

    @Test
    void chunkedAnswersAsNettyForEveryTransferEncoding() {
        for (HttpMessage message : messages()) {
            assertEquals(HttpUtil.isTransferEncodingChunked(message), MessageFlags.chunked(message), message.toString());
        }
    }
}
