/**
 * The header-stamp plugin as a named module: on the module path the engine finds it through
 * {@code provides}; on the class path through {@code META-INF/services}, which the jar keeps.
 */
module com.example.stamp {
    requires io.gatekit.api;

    // the engine binds HeaderStampFactory.Config by reflection: the package must be readable
    exports com.example.stamp;

    provides io.gatekit.api.PluginFactory with com.example.stamp.HeaderStampFactory;
}
