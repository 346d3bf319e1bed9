package io.gatekit.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMessageQuotingWhatAClientSentStaysValidJsonAndReadsBackUnchanged() throws Exception {
        String message = "400 Bad Request: Host: \"evil\"\\path\r\n\t\u0000\u007f é ✓";

        byte[] body = ErrorResponses.body(message);

        JsonNode parsed = JSON.readTree(body);
        assertEquals(1, parsed.size(), parsed.toString());
        assertEquals(message, parsed.get("error_msg").asText());
    }

    @Test
    void theBodyIsApisixsShapeWithItsTrailingNewline() {
        assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n",
                new String(ErrorResponses.body("404 Route Not Found"), StandardCharsets.UTF_8));
    }

    @Test
    void theResponseIsJsonWithTheLengthOfItsBody() {
        FullHttpResponse response = ErrorResponses.response(HttpResponseStatus.NOT_FOUND, "a \"quoted\" path");
        try {
            assertEquals(404, response.status().code());
            assertEquals("application/json", response.headers().get("content-type"));
            assertEquals(response.content().readableBytes(), response.headers().getInt("content-length"));
            assertEquals("{\"error_msg\":\"a \\\"quoted\\\" path\"}\n", response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }
}
