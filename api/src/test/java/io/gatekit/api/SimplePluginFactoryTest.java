package io.gatekit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SimplePluginFactoryTest {

    record Config(String value) {
    }

    /** As a ServiceLoader would make it: a subclass with a no-argument constructor. */
    static final class Stamp extends SimplePluginFactory<Config> {
        Stamp() {
            super("stamp", 50, "{\"type\": \"object\"}", Config.class);
        }

        @Override
        public Plugin create(Config config, PluginContext context) {
            return new Plugin() { };
        }
    }

    @Test
    void aSubclassDeclaresItsPartsOnceInTheConstructor() {
        Stamp stamp = new Stamp();

        assertEquals("stamp", stamp.name());
        assertEquals(50, stamp.priority());
        assertEquals("{\"type\": \"object\"}", stamp.configSchema());
        assertEquals(Config.class, stamp.configType());
        assertEquals(null, stamp.metadataSchema());
    }

    record Metadata(String origins) {
    }

    /** A plugin with {@code plugin_metadata}: its schema and type go to the longer constructor. */
    static final class WithMetadata extends SimplePluginFactory<Config> {
        WithMetadata(String metadataSchema) {
            super("cors-like", 4000, "{}", Config.class, metadataSchema, Metadata.class);
        }

        @Override
        public Plugin create(Config config, PluginContext context) {
            return new Plugin() { };
        }
    }

    @Test
    void theLongerConstructorDeclaresThePluginMetadata() {
        WithMetadata factory = new WithMetadata("{\"type\": \"object\"}");

        assertEquals("{\"type\": \"object\"}", factory.metadataSchema());
        assertEquals(Metadata.class, factory.metadataType());
        assertEquals(Void.class, new Stamp().metadataType());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new WithMetadata("[]"));
        assertEquals("metadataSchema: \"[]\" (expected: a JSON Schema object, such as {\"type\": \"object\"})",
                bad.getMessage());
    }

    @Test
    void ofDeclaresAFactoryInOneCallThatCreatesWithTheGivenFunction() {
        Plugin made = new Plugin() { };
        PluginFactory<Config> factory = PluginFactory.of("x", 7, "{}", Config.class, (config, context) -> made);

        assertEquals("x", factory.name());
        assertEquals(7, factory.priority());
        assertSame(made, factory.create(new Config("v"), null));
    }

    @Test
    void missingOrMalformedPartsAreRefusedWhereTheFactoryIsMade() {
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> PluginFactory.of(" ", 1, "{}", Config.class, (c, x) -> null));
        assertEquals("name: \" \" (expected: a plugin name such as proxy-rewrite)", blank.getMessage());

        IllegalArgumentException schema = assertThrows(IllegalArgumentException.class,
                () -> PluginFactory.of("x", 1, "object", Config.class, (c, x) -> null));
        assertEquals("configSchema: \"object\" (expected: a JSON Schema object, such as {\"type\": \"object\"})",
                schema.getMessage());

        assertThrows(NullPointerException.class, () -> PluginFactory.of("x", 1, "{}", null, (c, x) -> null));
        assertThrows(NullPointerException.class, () -> PluginFactory.of("x", 1, "{}", Config.class, null));
    }
}
