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
 * <p>Immutable and thread-safe; {@link #contains} allocates nothing.
 */
public interface IpSet {

    /**
     * {@return whether {@code address} is in this set; false when it is not an IP}
     *
     * @param address an IP address without port
     */
    boolean contains(@Nullable String address);

    /** {@return the entries, as configured} */
    List<String> entries();
}
