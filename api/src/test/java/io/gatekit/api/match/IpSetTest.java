package io.gatekit.api.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpSetTest {

    private static IpSet matcher(String... entries) {
        return IpSet.of(List.of(entries));
    }

    @Test
    void matchesExactIpv4Addresses() {
        IpSet m = matcher("127.0.0.1", "10.0.0.7");
        assertTrue(m.contains("127.0.0.1"));
        assertTrue(m.contains("10.0.0.7"));
        assertFalse(m.contains("127.0.0.2"));
    }

    @Test
    void matchesIpv4Cidrs() {
        IpSet m = matcher("192.168.0.0/16", "10.1.2.3/32");
        assertTrue(m.contains("192.168.0.0"));
        assertTrue(m.contains("192.168.255.255"));
        assertFalse(m.contains("192.169.0.0"));
        assertTrue(m.contains("10.1.2.3"));
        assertFalse(m.contains("10.1.2.4"));
        assertTrue(matcher("0.0.0.0/0").contains("255.255.255.255"));
    }

    @Test
    void ignoresHostBitsOfACidr() {
        assertTrue(matcher("10.9.9.9/8").contains("10.200.0.1"));
        assertTrue(matcher("2001:db8::ffff/32").contains("2001:db8:1::1"));
    }

    @Test
    void matchesIpv6AddressesInEveryNotation() {
        IpSet m = matcher("::1", "fe80::/10", "2001:db8::/32", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4");
        assertTrue(m.contains("::1"));
        assertTrue(m.contains("0:0:0:0:0:0:0:1"));
        assertTrue(m.contains("[::1]"));
        assertTrue(m.contains("fe80::1"));
        assertTrue(m.contains("FEBF:ffff::"));
        assertFalse(m.contains("fec0::1"));
        assertTrue(m.contains("2001:DB8:0:0:8:800:200c:417a"));
        assertFalse(m.contains("2001:db9::1"));
        assertTrue(m.contains("1:2:3:4:5:6:7:8"));
        assertTrue(m.contains("::ffff:102:304"));
        assertTrue(m.contains("0::ffff:1.2.3.4"));
        assertFalse(m.contains("::2"));
    }

    @Test
    void placesGroupsAroundTheDoubleColon() {
        assertTrue(matcher("1::").contains("1:0:0:0:0:0:0:0"));
        assertTrue(matcher("1:2:3:4:5:6:7::").contains("1:2:3:4:5:6:7:0"));
        assertTrue(matcher("::2:3:4:5:6:7:8").contains("0:2:3:4:5:6:7:8"));
        assertTrue(matcher("1::8").contains("1:0:0:0:0:0:0:8"));
        assertTrue(matcher("a:b::c:d/128").contains("a:b:0:0:0:0:c:d"));
        assertFalse(matcher("a:b::c:d").contains("a:b:0:0:0:c:d:0"));
        assertTrue(matcher("::/0").contains("ffff::ffff"));
        assertTrue(matcher("ffff:ffff:ffff:ffff:8000::/65").contains("ffff:ffff:ffff:ffff:ffff::1"));
        assertFalse(matcher("ffff:ffff:ffff:ffff:8000::/65").contains("ffff:ffff:ffff:ffff:7fff::1"));
    }

    @Test
    void ipv4AndIpv6AreSeparateFamilies() {
        assertFalse(matcher("1.2.3.4").contains("::ffff:1.2.3.4"));
        assertFalse(matcher("::ffff:1.2.3.4").contains("1.2.3.4"));
        assertFalse(matcher("0.0.0.0/0").contains("::1"));
    }

    @Test
    void nonAddressesNeverMatch() {
        IpSet m = matcher("0.0.0.0/0", "::/0");
        for (String bad : new String[] {"", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
                "1.2.3.4/8", "1:2:3:4:5:6:7:8:9", "1:::2", ":1::", "1::2::3", "12345::", "fe80::1%eth0",
                "1.2.3.4:80", "::ffff:1.2.3"}) {
            assertFalse(m.contains(bad), bad);
        }
        assertFalse(m.contains(null));
    }

    @Test
    void recognisesAddressesAndCidrs() {
        for (String good : new String[] {"1.2.3.4", "1.2.3.4/0", "1.2.3.4/32", "::", "::/128", "[::1]",
                "::ffff:1.2.3.4/96"}) {
            assertTrue(IpSet.isAddressOrCidr(good), good);
        }
        for (String bad : new String[] {"1.2.3.4/33", "::/129", "1.2.3.4/", "1.2.3.4/a", "example.com", "/8"}) {
            assertFalse(IpSet.isAddressOrCidr(bad), bad);
        }
    }

    @Test
    void findsAddressesAmongThousands() {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            entries.add("10." + (i / 256) + "." + (i % 256) + ".1");
            entries.add("2001:db8:" + Integer.toHexString(i) + "::/48");
        }
        IpSet m = IpSet.of(entries);
        assertTrue(m.contains("10.7.207.1"));
        assertFalse(m.contains("10.7.207.2"));
        assertTrue(m.contains("2001:db8:7cf:1::9"));
        assertFalse(m.contains("2001:db8:7d0::1"));
    }

    @Test
    void rejectsAnInvalidEntryByIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> matcher("127.0.0.1", "10.0.0.0/40"));
        assertEquals("[1]: \"10.0.0.0/40\" (expected " + IpSet.expectedForm() + ")", e.getMessage());
    }
}
