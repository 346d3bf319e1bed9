package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import io.gatekit.api.match.IpSet;
import java.net.InetAddress;
import java.util.List;

/**
 * APISIX's {@code allow_admin}: the IPv4 and IPv6 CIDRs the Admin API answers to, matched by
 * {@link IpSet} as every other address list is. As nginx's {@code allow} rules do, a client
 * reaching an IPv6 socket from IPv4 ({@code ::ffff:127.0.0.1}) is checked as its IPv4 address.
 */
final class AllowAdmin {

    private static final AllowAdmin ANY = new AllowAdmin(null);

    private final @Nullable IpSet allowed;

    private AllowAdmin(@Nullable IpSet allowed) {
        this.allowed = allowed;
    }

    /** Every address allowed (APISIX without {@code allow_admin}). */
    static AllowAdmin any() {
        return ANY;
    }

    /**
     * Only addresses in one of {@code cidrs}; none at all when {@code cidrs} is empty, as APISIX's
     * nginx template then writes only {@code deny all}.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR, as
     *     {@code allowAdmin[1]: "localhost" (expected ...)}
     */
    static AllowAdmin of(List<String> cidrs) {
        try {
            return new AllowAdmin(IpSet.of(cidrs));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("allowAdmin" + e.getMessage(), e);
        }
    }

    /** Whether the client at {@code ip} (an address literal) is allowed; anything unparsable is not. */
    boolean allows(@Nullable String ip) {
        if (allowed == null) {
            return true;
        }
        InetAddress address = IpLiteral.parse(ip);
        return address != null && allowed.contains(address.getHostAddress());
    }

    @Override
    public String toString() {
        return allowed == null ? "AllowAdmin[any]" : "AllowAdmin" + allowed.entries();
    }
}
