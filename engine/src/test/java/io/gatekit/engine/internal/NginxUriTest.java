package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cases of nginx's ngx_http_parse_complex_uri, each with what nginx's $uri is for it. */
class NginxUriTest {

    @Test
    void percentEscapesAreDecodedAndPlusStaysAPlus() {
        assertEquals("/a b", NginxUri.normalize("/a%20b"));
        assertEquals("/caf\u00e9", NginxUri.normalize("/caf%C3%A9"));
        assertEquals("/caf\u00e9", NginxUri.normalize("/caf%c3%a9"));
        assertEquals("/a+b", NginxUri.normalize("/a+b"));
    }

    @Test
    void dotSegmentsAreResolved() {
        assertEquals("/a/c", NginxUri.normalize("/a/./b/../c"));
        assertEquals("/admin", NginxUri.normalize("/public/../admin"));
        assertEquals("/a/", NginxUri.normalize("/a/b/.."));
        assertEquals("/a/", NginxUri.normalize("/a/."));
        assertEquals("/", NginxUri.normalize("/."));
        assertEquals("/a/.b/..c/...", NginxUri.normalize("/a/.b/..c/..."));
    }

    @Test
    void repeatedSlashesAreMerged() {
        assertEquals("/x", NginxUri.normalize("//x"));
        assertEquals("/a/b/", NginxUri.normalize("/a///b//"));
    }

    @Test
    void anEncodedSlashOrDotCountsAsOneSoItCannotSmuggleADotSegment() {
        assertEquals("/a/b", NginxUri.normalize("/a%2Fb"));
        assertEquals("/admin", NginxUri.normalize("/public/%2e%2e/admin"));
        assertEquals("/admin", NginxUri.normalize("/public/..%2Fadmin"));
        assertEquals("/admin", NginxUri.normalize("/public%2F%2E%2E%2Fadmin"));
        assertEquals("/x", NginxUri.normalize("/%2F%2Fx"));
    }

    @Test
    void anEncodedPercentHashOrQuestionMarkStaysALiteralCharacter() {
        assertEquals("/a%2e", NginxUri.normalize("/a%252e"));
        assertEquals("/a#b", NginxUri.normalize("/a%23b"));
        assertEquals("/a?b", NginxUri.normalize("/a%3Fb"));
        assertEquals("/.?", NginxUri.normalize("/.%3F"));
    }

    @Test
    void aRawHashEndsThePath() {
        assertEquals("/a", NginxUri.normalize("/a#frag"));
    }

    @Test
    void aPathThatIsAlreadyNormalIsReturnedAsTheSameInstance() {
        String raw = "/api/v1/users.json";
        assertSame(raw, NginxUri.normalize(raw));
    }

    @Test
    void whatNginxAnswers400ForIsInvalid() {
        for (String bad : new String[] {"/a%zz", "/a%2", "/a%", "/a%00b", "/..", "/a/../..", "/%2e%2e", "/a/%2E%2E/%2e%2e/x"}) {
            NginxUri.Invalid e = assertThrows(NginxUri.Invalid.class, () -> NginxUri.normalize(bad), bad);
            assertTrue(e.getMessage().contains("(expected: "), e.getMessage());
        }
    }
}
