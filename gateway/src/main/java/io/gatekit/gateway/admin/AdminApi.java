package io.gatekit.gateway.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The APISIX-compatible Admin API (v3 shapes), independent of the transport: one whole
 * {@link AdminRequest} in, one whole {@link AdminResponse} out. Reads come from the {@link Engine};
 * writes go through the {@link ConfigSource} (by default the engine itself, whose calls are fast and
 * synchronous). With a remote source such as etcd a write waits for the store, so a server should
 * then call {@link #handle} off its I/O threads. Thread-safe and immutable.
 *
 * <pre>{@code
 * AdminApi admin = AdminApi.builder(engine)
 *         .adminKey("admin", "edd1c9f034335f136f87ad84b625c8f1", AdminApi.Role.ADMIN)
 *         .build();
 * AdminResponse response = admin.handle(new AdminRequest("PUT", "/apisix/admin/routes/1", null,
 *         HttpHeaders.of("X-API-KEY", "edd1c9f034335f136f87ad84b625c8f1"), body, "127.0.0.1"));
 * }</pre>
 *
 * <p>The endpoints, their answers and errors, who may call them and where Gatekit differs from
 * APISIX are listed in {@code docs/admin-api.md}. Every error body is JSON with APISIX's
 * {@code error_msg}; anything unexpected is logged and answered 500: no exception leaves
 * {@link #handle}.
 *
 * <p>Inside, {@code AdminAccess} ({@code allow_admin}, keys, roles) decorates a router over one
 * endpoint per concern: resources, plugins, schema dry runs, explain.
 */
public final class AdminApi {

    /** What an admin key may do (APISIX's {@code deployment.admin.admin_key[].role}). */
    public enum Role {
        /** Every method. */
        ADMIN,
        /** Reads only. */
        VIEWER
    }

    /** APISIX's default {@code allow_admin}. */
    public static final List<String> DEFAULT_ALLOW_ADMIN = List.of("127.0.0.0/24");

    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());

    private final AdminService service;

    private AdminApi(Builder builder) {
        ConfigSource source = requireNonNull(builder.source, "source");
        AdminService router = new AdminRouter(new ResourceEndpoint(builder.engine, source, builder.keyPrefix),
                new PluginsEndpoint(builder.engine), new SchemaEndpoint(builder.engine),
                new ExplainEndpoint(builder.engine));
        this.service = AdminAccess.decorate(router, builder.allowAdmin, builder.keys.build(),
                builder.acceptMissingKey);
    }

    /** A builder for an Admin API over {@code engine}. */
    public static Builder builder(Engine engine) {
        return new Builder(requireNonNull(engine, "engine"));
    }

    /** Answers {@code request}; never throws. */
    public AdminResponse handle(AdminRequest request) {
        try {
            return service.serve(AdminCall.of(request));
        } catch (AdminError e) {
            ObjectNode body = Json.error(e.errorMsg(), e.violations());
            if (e.description() != null) {
                body.put("description", e.description());
            }
            return AdminResponse.json(e.status(), body);
        } catch (ConfigException e) {
            return AdminResponse.json(e.status(), Json.error(e.errorMsg(), e.violations()));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Admin API " + request.method() + " " + request.path() + " failed", e);
            return AdminResponse.json(500, Json.error("internal error: " + e, List.of()));
        }
    }

    /** Configures and builds an {@link AdminApi}. */
    public static final class Builder {
        private final Engine engine;
        private @Nullable ConfigSource source;
        private String keyPrefix = "/apisix";
        private final KeyRing.Builder keys = KeyRing.builder();
        private AllowAdmin allowAdmin = AllowAdmin.of(DEFAULT_ALLOW_ADMIN);
        private boolean acceptMissingKey;

        private Builder(Engine engine) {
            this.engine = engine;
        }

        /**
         * Where writes go: a started {@link ConfigSource} feeding this engine (etcd, say). Reads
         * come from the engine. Default: the engine's own store ({@link ConfigSource#memory()}).
         */
        public Builder source(ConfigSource source) {
            this.source = requireNonNull(source, "source");
            return this;
        }

        /**
         * The prefix of the {@code key} in answers ({@code /apisix/routes/1}): APISIX shows the etcd
         * key, so with {@code deployment.etcd.prefix: /gw} it is {@code /gw/routes/1}. Default
         * {@code /apisix}.
         */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * Adds a key (APISIX's {@code deployment.admin.admin_key[]}). Only its SHA-256 digest is kept.
         *
         * @throws IllegalArgumentException on an empty name or key, or a name or key used twice
         */
        public Builder adminKey(String name, String key, Role role) {
            keys.add(requireNonNull(name, "name"), requireNonNull(key, "key"), requireNonNull(role, "role"));
            return this;
        }

        /**
         * The clients allowed, as IPv4 or IPv6 addresses or CIDRs (APISIX's
         * {@code deployment.admin.allow_admin}); default {@link #DEFAULT_ALLOW_ADMIN}. An empty list
         * allows nobody, as in APISIX.
         *
         * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
         */
        public Builder allowAdmin(List<String> cidrs) {
            this.allowAdmin = AllowAdmin.of(requireNonNull(cidrs, "cidrs"));
            return this;
        }

        /** Allows every client address (APISIX without {@code allow_admin}). */
        public Builder allowAdminFromAnywhere() {
            this.allowAdmin = AllowAdmin.any();
            return this;
        }

        /**
         * Whether a request without a key is served as admin (APISIX's
         * {@code admin_key_required: false}). Default {@code false}: never.
         */
        public Builder acceptMissingKey(boolean accept) {
            this.acceptMissingKey = accept;
            return this;
        }

        /**
         * Builds the Admin API.
         *
         * @throws IllegalStateException when no key is configured and missing keys are not accepted,
         *         since every request would then be refused
         */
        public AdminApi build() {
            if (keys.build().isEmpty() && !acceptMissingKey) {
                throw new IllegalStateException("adminKey: none (expected: at least one key, or "
                        + "acceptMissingKey(true) to serve requests without a key)");
            }
            if (source == null) {
                source = ConfigSource.memory();
                source.start(engine);
            }
            return new AdminApi(this);
        }
    }
}
