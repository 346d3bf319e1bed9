/**
 * The fault suite: the gateway under load from a real client on loopback ({@link
 * io.gatekit.gateway.faults.LoadClient}: keep-alive connections, a deadline on every response)
 * while something around it fails. Each case prints what it sent, what came back and what was
 * lost, as {@code [faults] ...} lines in the test output.
 * <ul>
 *   <li>{@code UpstreamFaultsTest}: a node killed mid-load, a POST in flight on a dying node, a
 *       slow upstream (504 at {@code timeout.read}), 1,000 Admin API config changes under load;</li>
 *   <li>{@code MirrorFaultsTest}: a dead, a slow and a silent mirror;</li>
 *   <li>{@code RunnerFaultsTest}: the released Java Plugin Runner killed and restarted under load.</li>
 * </ul>
 * While they run, the gateway logs errors only ({@link io.gatekit.gateway.faults.Faults#quietLogs()}):
 * the warning each failed request is worth would otherwise come thousands of times.
 * The helpers are public for the security suite ({@code io.gatekit.gateway.security}).
 */
package io.gatekit.gateway.faults;
