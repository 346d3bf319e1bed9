package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Origin;
import io.gatekit.engine.internal.expr.Expr;

/**
 * One plugin as it runs on a route: the shared instance plus the per-config {@code _meta}
 * settings, resolved when the config was applied so the request path only reads fields.
 *
 * @param instance      the instance
 * @param plugin        the instance's plugin, held here too so the request path reads it with
 *                      one load less per call
 * @param priority      effective priority
 * @param origin        where the config came from
 * @param originId      that resource's id
 * @param filter        compiled {@code _meta.filter}, or {@code null}
 * @param filterText    its JSON text, for explain
 * @param errorResponse replacement body for short-circuits with status &gt;= 400, or {@code null}
 * @param errorResponseIsJson whether that body is JSON (an object in config) or text
 */
record PluginEntry(PluginInstance instance, io.gatekit.api.Plugin plugin, int priority, Origin origin, String originId,
        @Nullable Expr filter, @Nullable String filterText, byte @Nullable [] errorResponse,
        boolean errorResponseIsJson) {

    /** The plugin name. */
    public String name() {
        return instance.name();
    }
}
