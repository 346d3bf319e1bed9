/**
 * The config in etcd, in APISIX's key layout: {@link io.gatekit.config.etcd.EtcdConfigSource}.
 */
@NonNullByDefault
package io.gatekit.config.etcd;

import io.gatekit.api.NonNullByDefault;
