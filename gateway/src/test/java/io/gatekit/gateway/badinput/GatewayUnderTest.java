package io.gatekit.gateway.badinput;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A gateway on ephemeral ports, configured from YAML text as a user would, routing to one upstream. */
final class GatewayUnderTest implements AutoCloseable {

    final RecordingUpstream upstream = new RecordingUpstream();
    final Gateway gateway;

    GatewayUnderTest(Path dir, String yaml) {
        try {
            Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
            GatewayConfig config = ConfigLoader.load(file, w -> { }).withPorts(0, 0, 0);
            gateway = Gateway.start(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    int port() {
        return gateway.port();
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
    }
}
