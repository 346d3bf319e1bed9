/**
 * Implementation of the ext-plugin protocol: frames, FlatBuffers tables, connections, token cache.
 * Not an API: anything here may change without notice.
 */
package io.gatekit.runner.internal;
