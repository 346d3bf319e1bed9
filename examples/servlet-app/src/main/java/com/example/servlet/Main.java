package com.example.servlet;

import io.gatekit.engine.StandaloneConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * {@code java -cp ... com.example.servlet.Main [port] [apisix.yaml]}: the shop on 127.0.0.1 (port
 * 8080 by default), its Gatekit routes from the file given, else from {@code apisix.yaml} on the
 * class path.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        StandaloneConfig routes = args.length > 1 ? StandaloneConfig.file(Path.of(args[1]))
                : StandaloneConfig.classpath("apisix.yaml");
        ShopApplication shop = ShopApplication.start(new InetSocketAddress("127.0.0.1", port), routes);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                shop.close();
            } catch (Exception e) {
                System.err.println("stopping the shop: " + e);
            }
        }));
        System.out.println("shop on http://" + shop.address().getHostString() + ":" + shop.address().getPort());
    }
}
