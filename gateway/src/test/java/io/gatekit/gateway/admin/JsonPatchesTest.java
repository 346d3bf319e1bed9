package io.gatekit.gateway.admin;

import static io.gatekit.gateway.admin.AdminFixture.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonPatchesTest {

    private static JsonNode merge(String target, String patch) {
        return JsonPatches.merge(parse(target), parse(patch));
    }

    private static JsonNode replaceAt(String root, List<String> path, String value) {
        return JsonPatches.replaceAt((ObjectNode) parse(root), path, parse(value));
    }

    @Test
    void mergeFollowsTheExamplesOfRfc7396() {
        assertEquals(parse("{\"a\":\"c\"}"), merge("{\"a\":\"b\"}", "{\"a\":\"c\"}"));
        assertEquals(parse("{\"a\":\"b\",\"b\":\"c\"}"), merge("{\"a\":\"b\"}", "{\"b\":\"c\"}"));
        assertEquals(parse("{}"), merge("{\"a\":\"b\"}", "{\"a\":null}"));
        assertEquals(parse("{\"b\":\"c\"}"), merge("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}"));
        assertEquals(parse("{\"a\":\"c\"}"), merge("{\"a\":[\"b\"]}", "{\"a\":\"c\"}"));
        assertEquals(parse("{\"a\":[\"b\"]}"), merge("{\"a\":\"c\"}", "{\"a\":[\"b\"]}"));
        assertEquals(parse("{\"a\":{\"b\":\"d\"}}"),
                merge("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}"));
        assertEquals(parse("{\"a\":[1]}"), merge("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}"));
        assertEquals(parse("{\"e\":null,\"a\":1}"), merge("{\"e\":null}", "{\"a\":1}"));
        assertEquals(parse("{\"a\":{\"bb\":{}}}"), merge("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}"));
    }

    @Test
    void mergeLeavesItsInputsAlone() {
        JsonNode target = parse("{\"a\":{\"b\":1}}");
        JsonNode patch = parse("{\"a\":{\"b\":null,\"c\":2}}");

        JsonPatches.merge(target, patch);

        assertEquals(parse("{\"a\":{\"b\":1}}"), target);
        assertEquals(parse("{\"a\":{\"b\":null,\"c\":2}}"), patch);
    }

    @Test
    void replaceAtSetsRemovesAndAddressesArrayElements() {
        assertEquals(parse("{\"a\":{\"b\":2},\"x\":1}"),
                replaceAt("{\"a\":{\"b\":1},\"x\":1}", List.of("a", "b"), "2"));
        assertEquals(parse("{\"x\":1}"), replaceAt("{\"a\":{\"b\":1},\"x\":1}", List.of("a"), "null"));
        assertEquals(parse("{\"u\":[\"/a\",\"/z\"]}"),
                replaceAt("{\"u\":[\"/a\",\"/b\"]}", List.of("u", "1"), "\"/z\""));
        assertEquals(parse("{\"n\":{\"m\":{\"k\":true}}}"), replaceAt("{}", List.of("n", "m", "k"), "true"));
    }

    @Test
    void replaceAtRefusesAPathThroughAScalarOrPastAnArraysEnd() {
        AdminError scalar = assertThrows(AdminError.class, () -> replaceAt("{\"a\":{\"b\":1}}", List.of("a", "b", "c"),
                "1"));
        AdminError pastEnd = assertThrows(AdminError.class, () -> replaceAt("{\"u\":[1]}", List.of("u", "1"), "2"));

        assertEquals("invalid sub-path: /a/b", scalar.errorMsg());
        assertEquals(400, scalar.status());
        assertEquals("invalid sub-path: /u/1", pastEnd.errorMsg());
    }

    @Test
    void aPathBecomesAnEscapedJsonPointer() {
        assertEquals("/plugins/a~1b/c~0d", JsonPatches.pointer(List.of("plugins", "a/b", "c~d")));
    }
}
