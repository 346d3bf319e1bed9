package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * APISIX's {@code allow_admin}: the IPv4 and IPv6 CIDRs the Admin API answers to. Only address
 * literals are parsed, never host names, so nothing here ever waits on DNS. An IPv4-mapped IPv6
 * client address ({@code ::ffff:127.0.0.1}) is matched as the IPv4 address it carries.
 */
final class AddressRanges {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    /** One CIDR: the network's bytes (4 or 16) and the prefix length. */
    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private static final AddressRanges ANY = new AddressRanges(null);

    private final @Nullable List<Range> ranges;

    private AddressRanges(@Nullable List<Range> ranges) {
        this.ranges = ranges;
    }

    /** Every address allowed (APISIX without {@code allow_admin}). */
    static AddressRanges any() {
        return ANY;
    }

    /**
     * Only addresses in one of {@code cidrs}; none at all when {@code cidrs} is empty, as APISIX's
     * nginx template then writes only {@code deny all}.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
     */
    static AddressRanges of(List<String> cidrs) {
        List<Range> ranges = new ArrayList<>(cidrs.size());
        for (String cidr : cidrs) {
            ranges.add(parseRange(cidr));
        }
        return new AddressRanges(List.copyOf(ranges));
    }

    /** Whether {@code ip} (an address literal) is allowed; anything unparsable is not. */
    boolean allows(String ip) {
        if (ranges == null) {
            return true;
        }
        byte[] address = parseAddress(ip);
        if (address == null) {
            return false;
        }
        for (Range range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Range parseRange(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        byte[] network = parseAddress(slash < 0 ? text : text.substring(0, slash));
        if (network == null) {
            throw invalid(cidr);
        }
        int max = network.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String bits = text.substring(slash + 1);
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
                throw invalid(cidr);
            }
            prefix = Integer.parseInt(bits);
            if (prefix > max) {
                throw invalid(cidr);
            }
        }
        return new Range(network, prefix);
    }

    private static IllegalArgumentException invalid(String cidr) {
        return new IllegalArgumentException("allowAdmin: \"" + cidr + "\" (expected: an IPv4 or IPv6 address or CIDR "
                + "such as 127.0.0.0/24 or ::1/128)");
    }

    /** The 4 or 16 bytes of an address literal, or {@code null}; IPv4-mapped IPv6 gives 4 bytes. */
    static byte @Nullable [] parseAddress(String literal) {
        String text = literal.trim();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
            return null;
        }
        try {
            // a literal with ':' is parsed as IPv6 and never looked up in DNS
            InetAddress address = InetAddress.getByName(text);
            byte[] bytes = address.getAddress();
            if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
                return java.util.Arrays.copyOfRange(bytes, 12, 16);
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return ranges == null ? "AddressRanges[any]" : "AddressRanges" + ranges.size();
    }
}
