package io.gatekit.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configuration an {@code ext-plugin-*} plugin instance hands to the runner: which runner
 * plugins run, in which order, with which config. The client exchanges it for a conf token
 * ({@code PrepareConf}) and caches the token per {@link #id()} and {@link #version()}.
 *
 * <p>As in APISIX, the id names the plugin instance (e.g. {@code route#1#ext-plugin-pre-req}) and
 * the version changes whenever its configuration does. The idempotency key sent to the runner
 * defaults to {@code id#version}, which is APISIX's {@code <conf_type>#<conf_id>#<plugin>#<version>}
 * when the id is spelled that way.
 */
public final class RunnerConf {

    private final String id;
    private final String version;
    private final List<TextEntry> plugins;
    private final String key;

    private RunnerConf(Builder builder) {
        this.id = builder.id;
        this.version = builder.version;
        this.plugins = List.copyOf(builder.plugins);
        this.key = builder.key != null ? builder.key : id + "#" + version;
    }

    /** A builder; {@link Builder#id(String)} and {@link Builder#version(String)} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Names the plugin instance this conf belongs to; the token cache key. */
    public String id() {
        return id;
    }

    /** Changes whenever the configuration changes, so a new token is prepared. */
    public String version() {
        return version;
    }

    /** Runner plugins to run, in order: name = runner plugin name, value = its config string. */
    public List<TextEntry> plugins() {
        return plugins;
    }

    /** The idempotency key sent in {@code PrepareConf}. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RunnerConf that && id.equals(that.id) && version.equals(that.version)
                && plugins.equals(that.plugins) && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, version, plugins, key);
    }

    @Override
    public String toString() {
        return "RunnerConf{id=" + id + ", version=" + version + ", plugins=" + plugins + "}";
    }

    /** Builds a {@link RunnerConf}; every setter checks its argument at once. */
    public static final class Builder {
        private String id;
        private String version;
        private final List<TextEntry> plugins = new ArrayList<>();
        private String key;

        private Builder() {
        }

        public Builder id(String id) {
            this.id = nonEmpty("id", id);
            return this;
        }

        public Builder version(String version) {
            this.version = nonEmpty("version", version);
            return this;
        }

        public Builder version(long version) {
            return version(Long.toString(version));
        }

        /** Adds a runner plugin with its config (JSON by convention). */
        public Builder addPlugin(String name, String config) {
            nonEmpty("name", name);
            plugins.add(TextEntry.of(name, Objects.requireNonNull(config, "config")));
            return this;
        }

        /** Overrides the idempotency key sent to the runner (default {@code id#version}). */
        public Builder key(String key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        public RunnerConf build() {
            if (id == null) {
                throw new IllegalStateException("id: null (expected: set with id(String))");
            }
            if (version == null) {
                throw new IllegalStateException("version: null (expected: set with version(...))");
            }
            return new RunnerConf(this);
        }

        private static String nonEmpty(String name, String value) {
            Objects.requireNonNull(value, name);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(name + ": \"\" (expected: a non-empty string)");
            }
            return value;
        }
    }
}
