package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import io.gatekit.runner.internal.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Plugin Runner process the way APISIX does, or stands for a runner started by hand.
 *
 * <p>With a {@linkplain Builder#command(List) command} it is <em>managed</em>: {@link #start()} spawns
 * the command (no shell) with {@code APISIX_LISTEN_ADDRESS=unix:<socket path>} and
 * {@code APISIX_CONF_EXPIRE_TIME=<seconds>}, forwards its merged stdout and stderr to the log line
 * by line, and, whenever it exits, tells the {@link Listener}s (a {@link RunnerClient} then drops its
 * tokens and idle connections) and spawns it again after the restart delay (3 s by default).
 * {@link #close()} stops it with SIGTERM, then SIGKILL after the stop timeout (1 s by default).
 *
 * <p>Without a command it is <em>external</em>: nothing is spawned and the runner is expected to
 * listen on the fixed socket path, as with APISIX's {@code ext-plugin.path_for_test}.
 *
 * <p>A managed runner's socket file is kept to its owner (mode {@code rw-------}): anyone who can
 * connect can run the runner's plugins with any request, and the only client of a supervised runner
 * is this process. Runners open the file to others themselves, in their own time (the released
 * Java runner runs {@code chmod 777} in a child process after it listens, so possibly after this
 * supervisor found it ready), so narrowing it once is not enough: the supervisor watches the file's
 * directory and narrows the file again whenever its attributes change, for as long as it runs. The
 * file can only be open to others between a runner's chmod and that event; put it in a directory
 * only its owner can enter (as the gateway does) to close that window too.
 */
public final class RunnerSupervisor implements AutoCloseable {

    private static final long PROBE_INTERVAL_MILLIS = 25;

    /** Hears about a managed runner's life; called on the supervisor's thread, so keep it short. */
    public interface Listener {
        /** A runner process is accepting connections; {@code generation} counts them from 1. */
        default void runnerReady(long generation) {
        }

        /** The runner process exited (also when stopped on purpose). */
        default void runnerExited(int exitStatus) {
        }
    }

    private enum State { NEW, STARTING, READY, RESTARTING, STOPPED }

    private final List<String> command;
    private final Path socketPath;
    private final Duration confExpire;
    private final Duration restartDelay;
    private final Duration stopTimeout;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final System.Logger logger;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private ScheduledExecutorService scheduler;
    private State state = State.NEW;
    private Process process;
    /** Written under {@link #lock}; read without it, on every call of a client that follows this supervisor. */
    private volatile long generation;
    private boolean lastExitedBeforeReady;
    /** Calls waiting for a runner newer than the one they saw. */
    private final RestartWait restartWait = new RestartWait(lock, this::newerThanLocked);
    private ScheduledFuture<?> pendingRestart;
    private Thread shutdownHook;
    /** Keeps the socket file owner-only; {@code null} when external or unwatchable. */
    private SocketGuard socketGuard;

    private RunnerSupervisor(Builder builder) {
        this.command = builder.command;
        this.socketPath = builder.socketPath.toAbsolutePath();
        this.confExpire = builder.confExpire;
        this.restartDelay = builder.restartDelay;
        this.stopTimeout = builder.stopTimeout;
        this.environment = Map.copyOf(builder.environment);
        this.workingDirectory = builder.workingDirectory;
        this.logger = builder.logger;
    }

    /** A builder; a socket path is required, a command makes the runner managed. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where the runner listens. */
    public Path socketPath() {
        return socketPath;
    }

    /** Whether this supervisor spawns the runner (it has a command). */
    public boolean isManaged() {
        return command != null;
    }

    /** How long the runner keeps a conf, passed as {@code APISIX_CONF_EXPIRE_TIME}. */
    public Duration confExpire() {
        return confExpire;
    }

    /** Spawns the runner (managed) and returns at once; see {@link #awaitReady(Duration)}. */
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("state: " + state + " (expected: NEW)");
            }
            if (!isManaged()) {
                state = State.READY;
                return;
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gatekit-runner-supervisor");
                thread.setDaemon(true);
                return thread;
            });
            shutdownHook = new Thread(this::close, "gatekit-runner-supervisor-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            socketGuard = SocketGuard.watch(socketPath, logger);
            spawnLocked();
        }
        restartWait.settle();
    }

    /**
     * Waits until the runner accepts connections, at most {@code timeout}.
     *
     * @throws RunnerException {@link RunnerException.Kind#CONNECT} when it does not in time,
     *     {@link RunnerException.Kind#CLOSED} when the supervisor is stopped
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + Checks.notNegative("timeout", timeout).toNanos();
        if (!isManaged()) {
            awaitExternal(deadline);
            return;
        }
        synchronized (lock) {
            while (state != State.READY) {
                if (state == State.STOPPED) {
                    throw new RunnerException(RunnerException.Kind.CLOSED, "runner supervisor is stopped");
                }
                if (!waitLocked(deadline)) {
                    throw new RunnerException(RunnerException.Kind.CONNECT,
                            "runner not ready on " + socketPath + " after " + timeout);
                }
            }
        }
    }

    /** Whether a runner accepts connections (managed: as last probed; external: probed now). */
    public boolean isReady() {
        if (!isManaged()) {
            return UnixSockets.isListening(socketPath);
        }
        synchronized (lock) {
            return state == State.READY;
        }
    }

    /** How many times a managed runner became ready; 0 before the first time and when external. */
    public long generation() {
        return generation;
    }

    /** The pid of the managed runner process while it runs. */
    public OptionalLong pid() {
        synchronized (lock) {
            return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
        }
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /**
     * Completes with true once a runner newer than {@code seenGeneration} is ready, and with false
     * after {@code timeoutNanos}, or at once when stopped or when the last runner died before it
     * was ever ready (a crash loop should fail calls fast, not hold them). Nothing blocks: the stage
     * completes on the supervisor's thread (or the JDK's timer thread at the timeout).
     */
    CompletableFuture<Boolean> whenNewerThan(long seenGeneration, long timeoutNanos) {
        return restartWait.whenNewerThan(seenGeneration, timeoutNanos);
    }

    /** True: a newer runner is ready; false: none will be in time; null: not known yet. */
    private Boolean newerThanLocked(long seenGeneration) {
        if (state == State.READY && generation > seenGeneration) {
            return true;
        }
        if (state == State.STOPPED || lastExitedBeforeReady) {
            return false;
        }
        return null;
    }

    /** Stops the runner: SIGTERM, then SIGKILL after the stop timeout. No restart follows. */
    @Override
    public void close() {
        Process toStop;
        synchronized (lock) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
            toStop = process;
            if (pendingRestart != null) {
                pendingRestart.cancel(false);
            }
            lock.notifyAll();
        }
        restartWait.settle();
        if (toStop != null && toStop.isAlive()) {
            RunnerProcess.stop(toStop, stopTimeout, logger);
            if (!toStop.isAlive()) {
                int status = toStop.exitValue();
                logger.log(Level.INFO, "runner stopped with status {0}", status);
                listeners.forEach(listener -> listener.runnerExited(status));
            }
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        SocketGuard guard;
        synchronized (lock) {
            guard = socketGuard;
            socketGuard = null;
        }
        if (guard != null) {
            guard.close();
        }
        removeShutdownHook();
    }

    private void spawnLocked() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.STARTING;
        lock.notifyAll();
        try {
            // The new runner must be the only one answering probes on this path.
            Files.deleteIfExists(socketPath);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            builder.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + socketPath);
            builder.environment().put("APISIX_CONF_EXPIRE_TIME", Long.toString(confExpire.toSeconds()));
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            Process spawned = builder.start();
            process = spawned;
            logger.log(Level.INFO, "runner started, pid {0}: {1}", spawned.pid(), command);
            RunnerProcess.forwardOutput(spawned, logger);
            spawned.onExit().thenRunAsync(() -> exited(spawned), scheduler);
            scheduler.schedule(() -> probe(spawned), PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IOException | UncheckedIOException e) {
            logger.log(Level.ERROR, "cannot start runner " + command + ": " + e.getMessage(), e);
            lastExitedBeforeReady = true;
            scheduleRestartLocked();
        }
    }

    private void probe(Process spawned) {
        if (UnixSockets.isListening(socketPath)) {
            long readyGeneration;
            synchronized (lock) {
                if (process != spawned || state != State.STARTING) {
                    return;
                }
                state = State.READY;
                lastExitedBeforeReady = false;
                readyGeneration = ++generation;
                lock.notifyAll();
            }
            restartWait.settle();
            SocketGuard.restrict(socketPath, logger);
            logger.log(Level.INFO, "runner ready on {0}", socketPath);
            listeners.forEach(listener -> listener.runnerReady(readyGeneration));
            return;
        }
        synchronized (lock) {
            if (process == spawned && state == State.STARTING && spawned.isAlive()) {
                scheduler.schedule(() -> probe(spawned), PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void exited(Process spawned) {
        int status = spawned.exitValue();
        synchronized (lock) {
            if (process != spawned || state == State.STOPPED) {
                return; // close() reports a stop it caused
            }
            lastExitedBeforeReady = state == State.STARTING;
            scheduleRestartLocked();
            lock.notifyAll();
        }
        restartWait.settle();
        logger.log(Level.WARNING, "runner exited with status {0}, restarting in {1} ms", status,
                restartDelay.toMillis());
        listeners.forEach(listener -> listener.runnerExited(status));
    }

    private void scheduleRestartLocked() {
        state = State.RESTARTING;
        pendingRestart = scheduler.schedule(() -> {
            synchronized (lock) {
                if (state == State.RESTARTING) {
                    spawnLocked();
                }
            }
            restartWait.settle();
        }, restartDelay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void awaitExternal(long deadline) {
        while (!UnixSockets.isListening(socketPath)) {
            synchronized (lock) {
                if (state == State.STOPPED) {
                    throw new RunnerException(RunnerException.Kind.CLOSED, "runner supervisor is stopped");
                }
                if (!waitLocked(Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS)))
                        && deadline - System.nanoTime() <= 0) {
                    throw new RunnerException(RunnerException.Kind.CONNECT, "no runner listening on " + socketPath);
                }
            }
        }
    }

    /** Waits for a state change until the deadline; false once the deadline has passed. */
    private boolean waitLocked(long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException(RunnerException.Kind.CLOSED, "interrupted while waiting for the runner", e);
        }
    }

    private void removeShutdownHook() {
        Thread hook;
        synchronized (lock) {
            hook = shutdownHook;
            shutdownHook = null;
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // The JVM is already shutting down; the hook is running or has run.
            }
        }
    }

    /** Builds a {@link RunnerSupervisor}; every setter checks its argument at once. */
    public static final class Builder {
        private List<String> command;
        private Path socketPath;
        private Duration confExpire = Duration.ofSeconds(3600);
        private Duration restartDelay = Duration.ofSeconds(3);
        private Duration stopTimeout = Duration.ofSeconds(1);
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private System.Logger logger = System.getLogger(RunnerSupervisor.class.getName());

        private Builder() {
        }

        /** The runner's argv (no shell); without one, the runner is external (started by hand). */
        public Builder command(List<String> command) {
            List<String> copy = List.copyOf(command);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("command: [] (expected: at least the program)");
            }
            this.command = copy;
            return this;
        }

        public Builder command(String... command) {
            return command(List.of(command));
        }

        /** Where the runner listens (required). */
        public Builder socketPath(Path socketPath) {
            this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
            return this;
        }

        /** How long the runner keeps a conf (default 3600 s), in whole seconds. */
        public Builder confExpire(Duration confExpire) {
            Checks.positive("confExpire", confExpire);
            if (confExpire.toSeconds() < 1) {
                throw new IllegalArgumentException("confExpire: " + confExpire + " (expected: >= 1 s)");
            }
            this.confExpire = confExpire;
            return this;
        }

        /** The pause between the runner's exit and its restart (default 3 s). */
        public Builder restartDelay(Duration restartDelay) {
            this.restartDelay = Checks.notNegative("restartDelay", restartDelay);
            return this;
        }

        /** How long SIGTERM may take before SIGKILL (default 1 s). */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Checks.positive("stopTimeout", stopTimeout);
            return this;
        }

        /** An extra environment variable for the runner; the two APISIX ones cannot be overridden. */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
            return this;
        }

        /** Where the runner's output and the supervisor's events go. */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        public RunnerSupervisor build() {
            if (socketPath == null) {
                throw new IllegalStateException("socketPath: null (expected: set with socketPath(Path))");
            }
            return new RunnerSupervisor(this);
        }
    }
}
