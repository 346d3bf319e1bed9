package io.gatekit.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void quoteEscapesAsCjsonDoes() {
        assertEquals("\"a \\\"b\\\" \\\\ \\/p \\n\\r\\t\\b\\f \\u0000\\u001f\\u007f é ✓\"",
                JsonText.quote("a \"b\" \\ /p \n\r\t\b\f \u0000\u001f\u007f é ✓"));
    }

    @Test
    void errorBodyIsApisixsShapeWithItsTrailingNewline() {
        assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n",
                new String(JsonText.errorBody("404 Route Not Found"), StandardCharsets.UTF_8));
        assertEquals("{\"error_msg\":\"bad \\\"host\\\"\"}\n",
                new String(JsonText.errorBody("bad \"host\""), StandardCharsets.UTF_8));
    }

    @Test
    void objectEscapesItsKeyAndValueAndEndsWithoutALineBreak() {
        assertEquals("{\"message\":\"Missing \\\"apikey\\\"\"}",
                new String(JsonText.object("message", "Missing \"apikey\""), StandardCharsets.UTF_8));
    }
}
