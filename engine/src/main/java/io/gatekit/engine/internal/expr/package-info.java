/**
 * APISIX {@code vars} and {@code _meta.filter} expressions, with the semantics of
 * lua-resty-expr: {@link io.gatekit.engine.internal.expr.Expr} compiles a rule array once and
 * tests it against request variables ({@link io.gatekit.engine.internal.expr.VarSource}) without
 * allocating; {@link io.gatekit.api.match.IpSet} matches IPv4/IPv6 addresses
 * against CIDRs, for {@code ipmatch} and for the router's {@code remote_addrs}.
 */
@NonNullByDefault
package io.gatekit.engine.internal.expr;

import io.gatekit.api.NonNullByDefault;
