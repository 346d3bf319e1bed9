package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import io.gatekit.api.match.IpSet;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads an IP address literal as a client address is written: in brackets or not, with or
 * without an IPv6 zone ({@code fe80::1%eth0}). Only literals are read, never host names, so
 * nothing here waits on DNS. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) comes back
 * as the IPv4 address it carries, as the JDK and nginx see it.
 */
final class IpLiteral {

    private IpLiteral() {
    }

    /** {@return the address {@code literal} names, or null when it is not an IPv4 or IPv6 literal} */
    static @Nullable InetAddress parse(@Nullable String literal) {
        if (literal == null) {
            return null;
        }
        String text = literal.trim();
        if (text.length() >= 2 && text.charAt(0) == '[' && text.charAt(text.length() - 1) == ']') {
            text = text.substring(1, text.length() - 1);
        }
        int zone = text.indexOf('%');
        if (zone >= 0 && text.indexOf(':') >= 0) {
            text = text.substring(0, zone);
        }
        if (text.isEmpty() || text.indexOf('/') >= 0 || !IpSet.isAddressOrCidr(text)) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a checked literal: the JDK parses it, no lookup
        } catch (UnknownHostException impossible) {
            return null;
        }
    }
}
