/**
 * Gatekit in a Jakarta Servlet 6 container: {@link io.gatekit.servlet.GatekitFilter}, an
 * async-capable filter that proxies routes with an upstream and runs the plugins of routes
 * without one around the application. Requests no route matches reach the application untouched.
 */
@NonNullByDefault
package io.gatekit.servlet;

import io.gatekit.api.NonNullByDefault;
