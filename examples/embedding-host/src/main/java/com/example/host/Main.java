package com.example.host;

import io.gatekit.engine.Engine;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.ResourceKind;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs {@link EmbeddingHost} from the command line: {@code Main <port> <config.json>} serves an
 * APISIX standalone config ({@code {"routes": [...], ...}}) on 127.0.0.1, with every plugin found on
 * the class path or module path.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Main <port> <config.json>");
            System.exit(2);
        }
        Engine engine = Engine.builder().discoverPlugins().build();
        engine.replaceAll(Files.readString(Path.of(args[1])));
        EmbeddingHost host = EmbeddingHost.start(engine, new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
                4);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            engine.close();
        }));
        System.out.println("serving " + engine.list(ResourceKind.ROUTES).size() + " route(s) on " + host.address()
                + " with plugins " + engine.plugins().stream().map(PluginInfo::name).toList());
    }
}
