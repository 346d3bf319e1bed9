package com.example.boot;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * An orders service as its team wrote it, before Gatekit: nothing here knows about Gatekit. The
 * starter on the class path and {@code gatekit.config} in {@code application.properties} put the
 * routes of {@code apisix.yaml} in front of it: a copy of every {@code /api/*} request goes to a
 * mirror ({@code proxy-mirror}), the service answers as before.
 */
@SpringBootApplication
public class OrdersApplication {

    /** Starts the service. */
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }

    /** The orders API. */
    @RestController
    static class Orders {

        @GetMapping("/api/orders/{id}")
        Map<String, String> order(@PathVariable("id") String id) {
            return Map.of("id", id, "status", "shipped");
        }

        @PostMapping("/api/orders")
        Map<String, String> place(@RequestBody Map<String, String> order) {
            return Map.of("id", "42", "item", order.getOrDefault("item", ""), "status", "placed");
        }

        @GetMapping("/")
        String home() {
            return "orders service";
        }
    }
}
