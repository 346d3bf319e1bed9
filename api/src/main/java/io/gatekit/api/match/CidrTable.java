package io.gatekit.api.match;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one implementation of {@link IpSet}: IPv4 and IPv6 addresses and CIDR blocks
 * ({@code 127.0.0.1}, {@code 192.168.0.0/16}, {@code ::1}, {@code fe80::/10}), matched against one
 * address, as lua-resty-ipmatcher does for
 * APISIX's {@code remote_addrs} and the {@code ipmatch} operator. Immutable and thread-safe.
 *
 * <p>Host bits in a CIDR are ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}). IPv6 addresses
 * may be written compressed, in brackets, or with an IPv4 tail ({@code ::ffff:1.2.3.4}); an
 * IPv4-mapped IPv6 address does not match an IPv4 entry, nor the reverse. Matching parses the
 * candidate without allocating and costs one binary search per distinct prefix length.
 */
final class CidrTable implements IpSet {

    private static final int V6_VALID = 0;
    private static final int V6_HIGH = 1;
    private static final int V6_LOW = 2;

    /** Distinct IPv4 prefix lengths, and per length the sorted masked networks. */
    private final int[] v4Lengths;
    private final int[][] v4Networks;
    /** Distinct IPv6 prefix lengths, and per length the networks sorted by (high, low). */
    private final int[] v6Lengths;
    private final long[][] v6High;
    private final long[][] v6Low;
    private final List<String> addresses;

    private CidrTable(Map<Integer, List<Integer>> v4, Map<Integer, List<long[]>> v6,
            List<String> addresses) {
        this.v4Lengths = new int[v4.size()];
        this.v4Networks = new int[v4.size()][];
        int i = 0;
        for (Map.Entry<Integer, List<Integer>> e : v4.entrySet()) {
            v4Lengths[i] = e.getKey();
            v4Networks[i] = e.getValue().stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
            i++;
        }
        this.v6Lengths = new int[v6.size()];
        this.v6High = new long[v6.size()][];
        this.v6Low = new long[v6.size()][];
        i = 0;
        for (Map.Entry<Integer, List<long[]>> e : v6.entrySet()) {
            List<long[]> networks = new ArrayList<>(e.getValue());
            networks.sort(CidrTable::compare);
            v6Lengths[i] = e.getKey();
            v6High[i] = networks.stream().mapToLong(n -> n[0]).toArray();
            v6Low[i] = networks.stream().mapToLong(n -> n[1]).toArray();
            i++;
        }
        this.addresses = addresses;
    }

    /**
     * A matcher for {@code addresses}, each an IPv4 or IPv6 address or CIDR block.
     *
     * @throws IllegalArgumentException naming the first entry that is neither, as
     *     {@code "[2]: \"10.0.0.300\" (expected ...)"}, for the caller to prefix with its field name
     */
    static CidrTable of(List<String> addresses) {
        requireNonNull(addresses, "addresses");
        Map<Integer, List<Integer>> v4 = new TreeMap<>();
        Map<Integer, List<long[]>> v6 = new TreeMap<>();
        for (int i = 0; i < addresses.size(); i++) {
            String entry = requireNonNull(addresses.get(i), "addresses[" + i + "]");
            if (!add(entry, v4, v6)) {
                throw new IllegalArgumentException("[" + i + "]: \"" + entry + "\" (expected "
                        + expectedForm() + ")");
            }
        }
        return new CidrTable(v4, v6, List.copyOf(addresses));
    }

    /** Whether {@code entry} is an IPv4 or IPv6 address or CIDR block this class accepts. */
    static boolean isAddressOrCidr(String entry) {
        return add(entry, new TreeMap<>(), new TreeMap<>());
    }

    /** What an entry must look like, for error messages. */
    static String expectedForm() {
        return "an IPv4 or IPv6 address or CIDR, such as 127.0.0.1, 192.168.0.0/16, ::1 or fe80::/10";
    }

    @Override
    public boolean contains(@Nullable String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        if (address.indexOf(':') < 0) {
            long v4 = parseV4(address, 0, address.length());
            return v4 >= 0 && matchesV4((int) v4);
        }
        int to = address.length();
        if (v6Lengths.length == 0 || v6(address, 0, to, V6_VALID) == 0) {
            return false;
        }
        return matchesV6(v6(address, 0, to, V6_HIGH), v6(address, 0, to, V6_LOW));
    }

    @Override
    public List<String> entries() {
        return addresses;
    }

    @Override
    public String toString() {
        return addresses.toString();
    }

    private boolean matchesV4(int address) {
        for (int i = 0; i < v4Lengths.length; i++) {
            if (Arrays.binarySearch(v4Networks[i], address & v4Mask(v4Lengths[i])) >= 0) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesV6(long high, long low) {
        for (int i = 0; i < v6Lengths.length; i++) {
            int length = v6Lengths[i];
            if (contains(v6High[i], v6Low[i], high & highMask(length), low & lowMask(length))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(long[] highs, long[] lows, long high, long low) {
        int lo = 0;
        int hi = highs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(highs[mid], high);
            if (c == 0) {
                c = Long.compare(lows[mid], low);
            }
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    private static int compare(long[] a, long[] b) {
        int c = Long.compare(a[0], b[0]);
        return c != 0 ? c : Long.compare(a[1], b[1]);
    }

    /** Parses {@code entry} and files it by prefix length; false if it is not an address or CIDR. */
    private static boolean add(String entry, Map<Integer, List<Integer>> v4, Map<Integer, List<long[]>> v6) {
        int slash = entry.indexOf('/');
        int end = slash < 0 ? entry.length() : slash;
        boolean isV6 = entry.indexOf(':') >= 0;
        int maxLength = isV6 ? 128 : 32;
        int length = slash < 0 ? maxLength : prefixLength(entry, slash + 1, maxLength);
        if (length < 0) {
            return false;
        }
        if (!isV6) {
            long address = parseV4(entry, 0, end);
            if (address < 0) {
                return false;
            }
            v4.computeIfAbsent(length, k -> new ArrayList<>()).add((int) address & v4Mask(length));
            return true;
        }
        if (v6(entry, 0, end, V6_VALID) == 0) {
            return false;
        }
        long high = v6(entry, 0, end, V6_HIGH) & highMask(length);
        long low = v6(entry, 0, end, V6_LOW) & lowMask(length);
        v6.computeIfAbsent(length, k -> new ArrayList<>()).add(new long[] {high, low});
        return true;
    }

    private static int prefixLength(String entry, int from, int max) {
        int to = entry.length();
        if (from == to || to - from > 3) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = entry.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    private static int v4Mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static long highMask(int length) {
        if (length >= 64) {
            return -1L;
        }
        return length == 0 ? 0 : -1L << (64 - length);
    }

    private static long lowMask(int length) {
        if (length <= 64) {
            return 0;
        }
        return length == 128 ? -1L : -1L << (128 - length);
    }

    /**
     * A dotted-quad IPv4 address in {@code text[from, to)} as an unsigned value, or -1. Like
     * {@code inet_pton}: exactly four decimal parts of at most 255, no leading zeros.
     */
    static long parseV4(String text, int from, int to) {
        long result = 0;
        int parts = 0;
        int i = from;
        while (parts < 4) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                return -1;
            }
            result = (result << 8) | value;
            parts++;
            if (parts < 4) {
                if (i >= to || text.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? result : -1;
    }

    /**
     * Reads the IPv6 address in {@code text[from, to)} (optionally in brackets) and returns,
     * by {@code mode}, 1 if it is valid (0 if not), or its high or low 64 bits. Two passes:
     * the first counts the groups after {@code ::} so the second can place them; the caller
     * asks three times rather than receive an array, so matching allocates nothing.
     */
    private static long v6(String text, int from, int to, int mode) {
        if (to - from >= 2 && text.charAt(from) == '[' && text.charAt(to - 1) == ']') {
            from++;
            to--;
        }
        int groupsAfterGap = -1;
        long high = 0;
        long low = 0;
        for (int pass = 0; pass < 2; pass++) {
            int position = 0;
            boolean gap = false;
            int afterGap = 0;
            int i = from;
            if (to - i >= 2 && text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
                gap = true;
                i += 2;
            } else if (i >= to || text.charAt(i) == ':') {
                return 0;
            }
            while (i < to) {
                int start = i;
                int value = 0;
                while (i < to && i - start < 4 && hexDigit(text.charAt(i)) >= 0) {
                    value = (value << 4) | hexDigit(text.charAt(i));
                    i++;
                }
                int groups = 1;
                if (i < to && text.charAt(i) == '.') {
                    long v4 = parseV4(text, start, to);
                    if (v4 < 0 || position + 2 > 8) {
                        return 0;
                    }
                    value = (int) v4;
                    groups = 2;
                    i = to;
                } else if (i == start) {
                    return 0;
                }
                if (position + groups > 8) {
                    return 0;
                }
                if (pass == 1) {
                    int slot = gap ? 8 - groupsAfterGap + afterGap : position;
                    long bits = groups == 2 ? value & 0xFFFFFFFFL : value;
                    int shift = 16 * (8 - slot - groups);
                    if (shift >= 64) {
                        high |= bits << (shift - 64);
                    } else {
                        low |= bits << shift;
                        if (groups == 2 && shift == 48) {
                            high |= bits >>> 16;
                        }
                    }
                }
                position += groups;
                if (gap) {
                    afterGap += groups;
                }
                if (i == to) {
                    break;
                }
                if (text.charAt(i) != ':') {
                    return 0;
                }
                i++;
                if (i < to && text.charAt(i) == ':') {
                    if (gap) {
                        return 0;
                    }
                    gap = true;
                    i++;
                } else if (i == to) {
                    return 0;
                }
            }
            if (gap ? position > 7 : position != 8) {
                return 0;
            }
            groupsAfterGap = afterGap;
        }
        if (mode == V6_HIGH) {
            return high;
        }
        return mode == V6_LOW ? low : 1;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }
}
