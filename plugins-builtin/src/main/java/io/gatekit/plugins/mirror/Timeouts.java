package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connect, send and read timeouts of one instance's copies, resolved once at create time:
 * the route's {@code timeout} field wins, then {@code plugin_attr.proxy-mirror.timeout}, then
 * APISIX's default of 60 s.
 *
 * @param connect  how long connecting may take
 * @param send     how long sending the copy may take
 * @param read     how long to wait for the mirror's answer
 * @param deadline after this a copy is abandoned whatever the host client does: a client that
 *                 never completes must not hold an in-flight slot forever
 */
record Timeouts(Duration connect, Duration send, Duration read, Duration deadline) {

    static final Duration DEFAULT = Duration.ofSeconds(60);

    /** Slack over connect + send + read before the deadline fires, so the client's own timeouts win. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** The smallest timeout handed to the client: a positive number of seconds may round to 0 ns. */
    private static final Duration FLOOR = Duration.ofMillis(1);

    /** One nginx time component: digits and an optional unit, as in {@code 1m30s}. */
    private static final Pattern NGINX_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d|w|M|y)?");

    static Timeouts resolve(MirrorConfig.@Nullable TimeoutConfig route, Optional<MirrorAttributes> node) {
        MirrorAttributes.Timeout attr = node.map(MirrorAttributes::timeout).orElse(null);
        Duration connect = pick(route == null ? null : route.connect(), attr == null ? null : attr.connect(),
                "connect");
        Duration send = pick(route == null ? null : route.send(), attr == null ? null : attr.send(), "send");
        Duration read = pick(route == null ? null : route.read(), attr == null ? null : attr.read(), "read");
        return new Timeouts(connect, send, read, connect.plus(send).plus(read).plus(GRACE));
    }

    private static Duration pick(@Nullable Double routeSeconds, @Nullable String nodeValue, String name) {
        if (routeSeconds != null) {
            return atLeastFloor(Duration.ofNanos((long) (routeSeconds * 1e9)));
        }
        if (nodeValue != null) {
            return atLeastFloor(parseNginxTime(nodeValue, "plugin_attr.proxy-mirror.timeout." + name));
        }
        return DEFAULT;
    }

    private static Duration atLeastFloor(Duration d) {
        return d.compareTo(FLOOR) < 0 ? FLOOR : d;
    }

    /**
     * Parses an nginx time ({@code 60s}, {@code 500ms}, {@code 1m30s}; no unit means seconds).
     *
     * @throws IllegalArgumentException naming {@code field} when {@code text} is not one
     */
    static Duration parseNginxTime(String text, String field) {
        String trimmed = text.trim();
        Matcher m = NGINX_PART.matcher(trimmed);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < trimmed.length() && m.find(at) && m.start() == at) {
            total = total.plus(part(Double.parseDouble(m.group(1)), m.group(2)));
            at = m.end();
        }
        if (trimmed.isEmpty() || at != trimmed.length() || total.isZero()) {
            throw new IllegalArgumentException(field + ": \"" + text
                    + "\" (expected: a positive nginx time such as 60s, 500ms or 1m, or a number of seconds)");
        }
        return total;
    }

    private static Duration part(double amount, @Nullable String unit) {
        double seconds = switch (unit == null ? "s" : unit) {
            case "ms" -> amount / 1000;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            case "d" -> amount * 86_400;
            case "w" -> amount * 604_800;
            case "M" -> amount * 2_592_000;
            case "y" -> amount * 31_536_000;
            default -> amount;
        };
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
