package io.gatekit.plugins.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.runner.TextEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrisTest {

    @Test
    void aPathIsShownToTheRunnerDecodedAsNginxDecodesUri() {
        assertEquals("/a b", Uris.decodePath("/a%20b"));
        assertEquals("/a+b", Uris.decodePath("/a+b"));
        assertEquals("/\u4f60/x", Uris.decodePath("/%E4%BD%A0/x"));
        assertEquals("/50%/%zz", Uris.decodePath("/50%/%zz"));
        assertEquals("/plain", Uris.decodePath("/plain"));
    }

    @Test
    void aRunnersPathIsEscapedAsApisixsUriSafeEncode() {
        assertEquals("/a%20b%3Fc%23d%25", Uris.safePath("/a b?c#d%"));
        assertEquals("/%C3%BC%0A%7F", Uris.safePath("/\u00fc\n\u007f"));
        assertEquals("/keep:@!$&'()*+,;=~-._", Uris.safePath("/keep:@!$&'()*+,;=~-._"));
        assertEquals("/relative", Uris.safePath("relative"));
    }

    @Test
    void argumentsKeepTheirOrderRepeatsAndFlags() {
        assertEquals(List.of(TextEntry.of("a", "1"), TextEntry.of("a", "2"), TextEntry.nameOnly("flag"),
                TextEntry.of("empty", ""), TextEntry.of("sp", "x y"), TextEntry.of("amp", "&"),
                TextEntry.of("bad", "%zz")), Uris.args("a=1&a=2&flag&empty=&&sp=x+y&amp=%26&bad=%zz"));
        assertEquals(List.of(), Uris.args(null));
    }
}
