/**
 * The Gatekit plugin SPI and the transport-neutral exchange model. Depends on nothing but
 * {@code java.base}.
 *
 * <p>A plugin in a named module provides its factory:
 * <pre>{@code
 * module com.example.stamp {
 *     requires io.gatekit.api;
 *     exports com.example.stamp;    // the config type is bound by reflection
 *     provides io.gatekit.api.PluginFactory with com.example.stamp.HeaderStampFactory;
 * }
 * }</pre>
 * and keeps {@code META-INF/services/io.gatekit.api.PluginFactory} for the class path.
 *
 * @uses io.gatekit.api.PluginFactory the plugins a host's engine finds with
 *       {@link java.util.ServiceLoader}; declaring the use here makes the module system resolve
 *       every module that provides one
 */
module io.gatekit.api {
    exports io.gatekit.api;
    exports io.gatekit.api.client;
    exports io.gatekit.api.http;
    exports io.gatekit.api.match;
    exports io.gatekit.api.metrics;

    uses io.gatekit.api.PluginFactory;
}
