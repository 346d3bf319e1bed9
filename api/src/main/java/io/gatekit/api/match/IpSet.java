package io.gatekit.api.match;

import io.gatekit.api.Nullable;
import java.util.List;

/**
 * A set of IPv4 and IPv6 addresses and CIDR blocks ({@code 127.0.0.1}, {@code 10.0.0.0/8},
 * {@code ::1}, {@code fe80::/10}), matched as a route's {@code remote_addrs} is.
 *
 * <p>Declare a config component of this type and the engine builds it from a JSON array of
 * strings when it binds the config; an entry that is not an address or CIDR rejects the config
 * with {@code invalid ip address: <entry>}, as APISIX says it:
 *
 * <pre>{@code
 * public record Config(@Nullable IpSet whitelist) {}
 *
 * boolean allowed = config.whitelist().contains(exchange.request().remoteIp());
 * }</pre>
 *
 * <p>Hosts and plugins that hold a list of addresses build one with {@link #of}, the same
 * matcher routes and the {@code ipmatch} operator use. Like lua-resty-ipmatcher, an IPv4-mapped
 * IPv6 address ({@code ::ffff:1.2.3.4}) does not match an IPv4 entry, nor the reverse.
 *
 * <p>Immutable and thread-safe; {@link #contains} allocates nothing.
 */
public interface IpSet {

    /**
     * {@return the set of {@code entries}, each an IPv4 or IPv6 address or CIDR block}
     *
     * @param entries the addresses and CIDR blocks, such as {@code ["10.0.0.0/8", "::1"]}
     * @throws IllegalArgumentException naming the first entry that is neither, as
     *     {@code [2]: "10.0.0.300" (expected ...)}, for the caller to prefix with its field name
     */
    static IpSet of(List<String> entries) {
        return CidrTable.of(entries);
    }

    /**
     * {@return whether {@code entry} is an IPv4 or IPv6 address or CIDR block {@link #of} accepts}
     *
     * @param entry the text to check
     */
    static boolean isAddressOrCidr(String entry) {
        return CidrTable.isAddressOrCidr(entry);
    }

    /** {@return what an entry must look like, for the "expected" part of error messages} */
    static String expectedForm() {
        return CidrTable.expectedForm();
    }

    /**
     * {@return whether {@code address} is in this set; false when it is not an IP}
     *
     * @param address an IP address without port
     */
    boolean contains(@Nullable String address);

    /** {@return the entries, as configured} */
    List<String> entries();
}
