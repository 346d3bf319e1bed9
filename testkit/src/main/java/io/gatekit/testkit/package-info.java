/**
 * The plugin author's test kit: run plugins in a real engine, in memory, and check they keep the
 * plugin contract. No sockets, no gateway.
 *
 * <p>Starting points:
 * <ul>
 *   <li>{@link io.gatekit.testkit.PluginHarness}: configure a route, send requests, get a
 *       {@link io.gatekit.testkit.RunResult} (short-circuits, what the upstream received, the
 *       response, attributes, the per-phase trace).</li>
 *   <li>{@link io.gatekit.testkit.PluginConformance}: the contract checks any plugin can run in one
 *       line, or as one JUnit dynamic test per check.</li>
 *   <li>{@link io.gatekit.testkit.ManualClock}: test time; plugin timers fire when it advances.</li>
 *   <li>{@link io.gatekit.testkit.RecordingHttpClient}: the outbound client plugins get; records and
 *       answers from canned rules.</li>
 * </ul>
 *
 * <pre>{@code
 * try (PluginHarness harness = PluginHarness.of(new MyFactory())) {
 *     harness.route("""
 *             {"my-plugin": {"limit": 1}}""");
 *     assertEquals(200, harness.request("/").response().status());
 *     assertEquals(429, harness.request("/").response().status());
 * }
 * }</pre>
 */
@NonNullByDefault
package io.gatekit.testkit;

import io.gatekit.api.NonNullByDefault;
