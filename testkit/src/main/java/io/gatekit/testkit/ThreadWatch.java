package io.gatekit.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds threads a plugin left running: those alive now that were not before, and that either keep
 * the JVM alive (non-daemon) or carry the plugin's name (as the engine's per-instance scheduler
 * threads do). Threads on their way out get until a deadline to finish; waiting is a join, never a
 * sleep.
 */
final class ThreadWatch {

    private ThreadWatch() {
    }

    static Set<Thread> live() {
        return Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /** Descriptions of the suspect threads still alive after {@code grace}. */
    static List<String> leftover(Set<Thread> before, String pluginName, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> left = new ArrayList<>();
        for (Thread thread : live()) {
            if (before.contains(thread) || thread == Thread.currentThread() || !suspect(thread, pluginName)) {
                continue;
            }
            long remaining = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(remaining);
            if (thread.isAlive()) {
                left.add("\"" + thread.getName() + "\" (" + (thread.isDaemon() ? "daemon" : "non-daemon") + ", "
                        + thread.getState() + ")");
            }
        }
        return left;
    }

    private static boolean suspect(Thread thread, String pluginName) {
        return !thread.isDaemon()
                || thread.getName().toLowerCase(Locale.ROOT).contains(pluginName.toLowerCase(Locale.ROOT));
    }
}
