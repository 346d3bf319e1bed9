package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class PluginConformanceTest {

    private static final String STAMP_EXAMPLE = """
            {"value": "v"}""";

    private static AssertionError failure(PluginConformance conformance) {
        return assertThrows(AssertionError.class, conformance::check);
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected to find\n  " + expected + "\nin\n" + actual);
    }

    /** How a plugin author uses it: one JUnit test per check. */
    @TestFactory
    Stream<DynamicTest> aWellBehavedPluginPassesEveryCheckAsDynamicTests() {
        return PluginConformance.of(TestPlugins.stamp())
                .accepts(STAMP_EXAMPLE)
                .rejects("""
                        {"value": ""}""", "/value")
                .tests();
    }

    @Test
    void aWellBehavedPluginPassesEveryCheckInOneLine() {
        assertDoesNotThrow(() -> PluginConformance.check(TestPlugins.stamp(), STAMP_EXAMPLE, """
                {"value": "another"}"""));
    }

    @Test
    void eachCheckIsATestNamedAsASentence() {
        List<String> names = PluginConformance.of(TestPlugins.stamp())
                .accepts(STAMP_EXAMPLE)
                .rejects("""
                        {"value": ""}""", "/value")
                .rejects("{}")
                .tests().map(DynamicTest::getDisplayName).toList();

        assertEquals(List.of(
                "accepts example 1: {\"value\": \"v\"}",
                "example 1: phase methods return within 50 ms and async stages complete",
                "example 1: create and close are safe and repeatable",
                "example 1: nothing keeps running after close",
                "rejects bad config 1 at /value with stable messages: {\"value\": \"\"}",
                "rejects bad config 2 with stable messages: {}",
                "rejects example 1 with /value set to an object (the schema must declare its type)"), names);
    }

    @Test
    void aPluginThatBlocksIsCaughtWithThePhaseAndEveryCallsDuration() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.sleepy())
                .accepts("""
                        {"millis": 60}""")
                .phaseBound(Duration.ofMillis(20)));

        assertContains("- example 1: phase methods return within 20 ms and async stages complete: "
                + "access blocked the calling thread: 3 call(s) took ", e.getMessage());
        assertContains(" (bound: 20 ms). Return Outcome.async(stage) for work that waits.", e.getMessage());
        assertContains("fails 1 of 5 conformance checks", e.getMessage());
    }

    @Test
    void aPluginThatLeaksAThreadIsCaughtNamingTheThreads() throws InterruptedException {
        try {
            AssertionError e = failure(PluginConformance.of(TestPlugins.leaky()).timeout(Duration.ofMillis(200)));

            assertContains("- example 1: nothing keeps running after close: plugin [leaky] left 2 thread(s) running"
                    + " after close: \"poller-", e.getMessage());
            assertContains("(non-daemon, WAITING)", e.getMessage());
            assertContains("Stop them in close(), or use context.scheduler(), which the engine shuts down.",
                    e.getMessage());
        } finally {
            TestPlugins.LEAKED.countDown();
            for (Thread thread : TestPlugins.LEAKY_THREADS) {
                thread.join(5_000);
            }
        }
    }

    @Test
    void aPluginWhoseTimersRunOnTheEngineSchedulerLeavesNothingRunning() {
        assertDoesNotThrow(() -> PluginConformance.check(TestPlugins.ticker(), STAMP_EXAMPLE),
                "the engine-owned scheduler thread is named after the plugin and ends when the instance closes");
    }

    @Test
    void aPluginWhoseCloseThrowsIsCaught() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.grumpy()));

        assertContains("- example 1: create and close are safe and repeatable: close() threw "
                + "java.lang.IllegalStateException: cannot close (expected: close releases what it holds and never "
                + "throws; the engine can only log it)", e.getMessage());
        assertContains("a second close() threw java.lang.IllegalStateException: cannot close (expected: close is "
                + "idempotent)", e.getMessage());
        assertEquals(1, e.getMessage().split("expected: close is idempotent", -1).length - 1,
                "each problem is reported once, though both create/close cycles hit it");
    }

    @Test
    void aSchemaThatAcceptsGarbageIsCaught() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.lax()).accepts("""
                {"limit": 10}"""));

        assertContains("- rejects example 1 with /limit set to an object (the schema must declare its type): "
                + "expected a violation at /limit, got: (config) ", e.getMessage());
        assertContains("Declare the type of /limit in configSchema(): a schema that lets any value through leaves"
                + " the error to binding, with a worse message and no pointer, or to a request", e.getMessage());
        assertContains("fails 1 of 5 conformance checks", e.getMessage());
    }

    @Test
    void aRejectionWhoseMessageChangesFromRunToRunIsCaught() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.fickle())
                .accepts("""
                        {"limit": 3}""")
                .rejects("""
                        {"limit": 0}"""));

        assertContains("- rejects bad config 1 with stable messages: {\"limit\": 0}: the rejection differs between"
                + " two runs (expected: the same violations):", e.getMessage());
    }

    @Test
    void aBadConfigThatTheSchemaAcceptsIsReported() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.stamp()).accepts(STAMP_EXAMPLE).rejects("""
                {"value": "fine"}"""));

        assertContains("- rejects bad config 1 with stable messages: {\"value\": \"fine\"}: the schema accepted a config"
                + " it should reject: {\"value\": \"fine\"}", e.getMessage());
    }

    @Test
    void aRejectionAtAnotherPointerThanExpectedIsReported() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.stamp()).accepts(STAMP_EXAMPLE).rejects("""
                {"value": "v", "extra": 1}""", "/value"));

        assertContains("expected a violation at /value, got: /extra additional properties forbidden, found extra",
                e.getMessage());
    }

    @Test
    void aStageThatNeverCompletesIsCaughtNamingThePlugin() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.hang()).timeout(Duration.ofMillis(100)));

        assertContains("- example 1: phase methods return within 50 ms and async stages complete: plugin [hang] did"
                + " not complete access within 100 ms: its Outcome.async stage is still pending. Trace so far: [].",
                e.getMessage());
        assertContains("fails 1 of 4 conformance checks", e.getMessage());
    }

    @Test
    void anExampleThePluginRejectsFailsWithItsViolationsAndBlocksTheChecksThatNeedIt() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.stamp()).accepts("""
                {"value": 5}"""));

        assertContains("- accepts example 1: {\"value\": 5}: example {\"value\": 5} was rejected: failed to check the"
                + " configuration of plugin stamp err: ", e.getMessage());
        assertContains("/plugins/stamp/value", e.getMessage());
        assertContains("- example 1: create and close are safe and repeatable: the example was rejected, so this"
                + " could not be checked", e.getMessage());
    }

    @Test
    void withoutExamplesAnEmptyConfigIsTriedAndTheFailureSaysToPassExamples() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.stamp()));

        assertContains("(pass the plugin's documented examples with accepts(...))", e.getMessage());
    }

    @Test
    void aFactoryMissingFromMetaInfServicesIsReported() {
        AssertionError e = failure(PluginConformance.of(TestPlugins.stamp()).accepts(STAMP_EXAMPLE).discoverable());

        assertContains("- is listed in META-INF/services/io.gatekit.api.PluginFactory: ", e.getMessage());
        assertContains(" is not found by ServiceLoader (expected: a line with its class name in "
                + "META-INF/services/io.gatekit.api.PluginFactory, and a public no-argument constructor)", e.getMessage());
    }

    @Test
    void aFactoryListedInMetaInfServicesIsFound(@TempDir Path dir) throws Exception {
        DiscoverableFactory.listIn(dir);
        try (var loader = DiscoverableFactory.loaderFor(dir)) {
            Thread.currentThread().setContextClassLoader(loader);

            assertDoesNotThrow(() -> PluginConformance.of(new DiscoverableFactory()).discoverable().check());
        } finally {
            Thread.currentThread().setContextClassLoader(PluginConformanceTest.class.getClassLoader());
        }
    }

    @Test
    void phaseBoundAndTimeoutMustBePositive() {
        PluginConformance conformance = PluginConformance.of(TestPlugins.stamp());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conformance.phaseBound(Duration.ZERO));

        assertEquals("bound: PT0S (expected: > 0)", e.getMessage());
        assertFalse(conformance.tests().toList().isEmpty());
    }
}
