/**
 * The security suite, over real sockets: who can reach and change the Admin API
 * ({@code AdminExposureTest}), that no header or body of one request reaches another
 * ({@code RequestIsolationTest}), and who can reach the ext-plugin runner's socket
 * ({@code RunnerSocketTest}).
 */
package io.gatekit.gateway.security;
