package io.gatekit.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonResponsesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anErrorQuotingWhatAClientSentStaysValidJsonAndReadsBackUnchanged() throws Exception {
        String message = "400 Bad Request: Host: \"evil\"\\path\r\n\t\u0000\u007f é ✓";

        FullHttpResponse response = JsonResponses.error(HttpResponseStatus.BAD_REQUEST, message);
        try {
            JsonNode parsed = JSON.readTree(response.content().toString(StandardCharsets.UTF_8));
            assertEquals(1, parsed.size(), parsed.toString());
            assertEquals(message, parsed.get("error_msg").asText());
        } finally {
            response.release();
        }
    }

    @Test
    void anErrorIsJsonWithTheLengthOfItsBodyAndApisixsTrailingNewline() {
        FullHttpResponse response = JsonResponses.error(HttpResponseStatus.NOT_FOUND, "a \"quoted\" path");
        try {
            assertEquals(404, response.status().code());
            assertEquals("application/json", response.headers().get("content-type"));
            assertEquals(response.content().readableBytes(), response.headers().getInt("content-length"));
            assertEquals("{\"error_msg\":\"a \\\"quoted\\\" path\"}\n", response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    @Test
    void aDocumentIsSentAsWrittenWithItsUtf8Length() {
        FullHttpResponse response = JsonResponses.of(HttpResponseStatus.OK, "{\"name\":\"é\"}");
        try {
            assertEquals(200, response.status().code());
            assertEquals("{\"name\":\"é\"}", response.content().toString(StandardCharsets.UTF_8));
            assertEquals(13, response.headers().getInt("content-length"), "é is two bytes");
        } finally {
            response.release();
        }
    }
}
