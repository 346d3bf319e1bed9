/**
 * JSON-Schema validation of plugin configs and Admin API resources, with APISIX's error texts.
 *
 * <p>Starting points:
 * <ul>
 *   <li>{@link io.gatekit.engine.internal.schema.SchemaValidator}: compiles a schema once into a
 *       thread-safe {@link io.gatekit.engine.internal.schema.CompiledSchema}; the only
 *       implementation, {@link io.gatekit.engine.internal.schema.EveritSchemaValidator}, is the
 *       one class that knows the validator library.</li>
 *   <li>{@link io.gatekit.engine.internal.schema.MetaSchema}: injects APISIX's {@code _meta}
 *       property into a plugin schema.</li>
 *   <li>{@link io.gatekit.engine.internal.schema.ResourceSchemas} and
 *       {@link io.gatekit.engine.internal.schema.ResourceChecks}: the schemas and cross-field rules
 *       of routes, services, upstreams, plugin configs and global rules.</li>
 *   <li>{@link io.gatekit.engine.internal.schema.ApisixErrors}: the {@code error_msg} strings
 *       APISIX users' scripts match on.</li>
 * </ul>
 *
 * <p>The message of every {@link io.gatekit.engine.Violation} a
 * {@link io.gatekit.engine.internal.schema.CompiledSchema} reports has, as its first line, the
 * reason exactly as APISIX's lua jsonschema would word it for the validated document (for example
 * {@code property "host" validation failed: wrong type: expected string, got number}); for
 * {@code oneOf} and {@code anyOf} failures further lines name each branch's failure
 * ({@code   schema 2: property "code" is required}). Numbers print as Lua prints them
 * ({@code 1e-05}), values are quoted as Lua's {@code %q} quotes them.
 */
@NonNullByDefault
package io.gatekit.engine.internal.schema;

import io.gatekit.api.NonNullByDefault;
