/**
 * The authentication plugins {@code key-auth} and {@code basic-auth}: each finds the consumer a
 * request comes from by the credentials in the consumers' configs and attaches it, so the
 * consumer's plugins, and its group's, take precedence over the route's.
 */
@NonNullByDefault
package io.gatekit.plugins.auth;

import io.gatekit.api.NonNullByDefault;
