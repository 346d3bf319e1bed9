package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class MirrorUrisTest {

    @Test
    void returnsAValidPathAsItIsWithoutCopying() {
        String path = "/a/b;c=d/%C3%BC/~x@y:z";

        assertSame(path, MirrorUris.encodePath(path));
    }

    @Test
    void percentEncodesWhatAPathCannotCarryAsUtf8() {
        assertEquals("/a%20b/%C3%BC/%F0%9F%98%80/%5Bx%5D%7C", MirrorUris.encodePath("/a b/ü/😀/[x]|"));
    }

    @Test
    void keepsEscapesButEncodesAStrayPercent() {
        assertEquals("/50%25/%2F/%25zz/%25", MirrorUris.encodePath("/50%/%2F/%zz/%"));
    }

    @Test
    void keepsThePathAndQueryWithoutAConfiguredPath() {
        assertEquals("/hello?a=1&b=%22x%22", MirrorUris.compose(null, false, "/hello", "a=1&b=\"x\""));
    }

    @Test
    void replacesThePathAndKeepsTheQuery() {
        assertEquals("/a?a=1", MirrorUris.compose("/a", false, "/hello", "a=1"));
        assertEquals("/a", MirrorUris.compose("/a", false, "/hello", null));
    }

    @Test
    void prefixesThePathAndKeepsTheQuery() {
        assertEquals("/a/hello?a=1", MirrorUris.compose("/a", true, "/hello", "a=1"));
        assertEquals("/a/hello", MirrorUris.compose("/a", true, "/hello", ""));
    }

    @Test
    void keepsAQuestionMarkInsideTheQuery() {
        assertEquals("/a?next=/b?c", MirrorUris.compose(null, false, "/a", "next=/b?c"));
    }
}
