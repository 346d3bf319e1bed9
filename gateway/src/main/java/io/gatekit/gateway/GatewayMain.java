package io.gatekit.gateway;

import io.gatekit.api.Nullable;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar gateway/target/gatekit-gateway.jar [--config FILE]}: starts the gateway on the
 * embedded default config, or on {@code FILE} merged over it (APISIX {@code config.yaml} keys).
 * Stops cleanly on SIGTERM: in-flight requests finish, plugins are destroyed, runners stopped.
 * {@code --version} prints the version from the jar's manifest and exits.
 */
public final class GatewayMain {

    private static final System.Logger LOG = System.getLogger(GatewayMain.class.getName());

    private GatewayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GatewayConfig config;
        try {
            config = ConfigLoader.load(configFile(args), warning -> LOG.log(System.Logger.Level.WARNING, warning));
        } catch (IllegalArgumentException e) {
            System.err.println("gatekit: bad config: " + e.getMessage());
            System.exit(2);
            return;
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (RuntimeException e) {
            System.err.println("gatekit: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gatekit-shutdown"));
        LOG.log(System.Logger.Level.INFO, "Gatekit listening on " + config.nodeHost() + ":" + gateway.port()
                + ", Admin API on " + (config.adminOnDataPort() ? "the same port" : config.adminHost() + ":"
                + gateway.adminPort()) + ", metrics on " + config.prometheusHost() + ":" + gateway.metricsPort()
                + "; plugins " + gateway.engine().plugins().stream().map(p -> p.name()).toList());
        gateway.awaitShutdown();
    }

    /**
     * The Implementation-Version of the jar this class was loaded from (the build writes it into
     * every manifest), or {@code "unknown"} when it runs from a classes folder, as in tests.
     */
    static String version() {
        String version = GatewayMain.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    private static @Nullable Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") || args[i].equals("-c")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--config: missing file name");
                }
                Path file = Path.of(args[i + 1]);
                if (!Files.isReadable(file)) {
                    throw new IllegalArgumentException("--config: " + file + " is not a readable file");
                }
                return file;
            }
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: java -jar gatekit-gateway.jar [--config config.yaml | --version]");
                System.exit(0);
            }
            if (args[i].equals("--version")) {
                System.out.println("gatekit-gateway " + version());
                System.exit(0);
            }
            throw new IllegalArgumentException("unknown argument: " + args[i]
                    + " (expected: --config FILE, --version or --help)");
        }
        return null;
    }
}
