package io.gatekit.runner;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps a managed runner's socket file to its owner (mode {@code rw-------}). Runners open the file
 * to others in their own time, so it is narrowed again whenever its attributes change: a thread
 * watches the file's directory for as long as the guard is open (see {@link RunnerSupervisor}).
 */
final class SocketGuard implements AutoCloseable {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path socketPath;
    private final System.Logger logger;
    private final WatchService watch;

    private SocketGuard(Path socketPath, System.Logger logger, WatchService watch) {
        this.socketPath = socketPath;
        this.logger = logger;
        this.watch = watch;
    }

    /**
     * Starts the thread that narrows the socket file again whenever it is created or its
     * attributes change (a chmod is an attribute change: {@code ENTRY_MODIFY} on Linux); an event
     * on the directory, not a timer, so a runner's late chmod is undone however late it comes.
     * {@code null} when the directory cannot be watched: the file is then narrowed once, when ready.
     */
    static SocketGuard watch(Path socketPath, System.Logger logger) {
        Path directory = socketPath.getParent();
        WatchService watch;
        try {
            watch = socketPath.getFileSystem().newWatchService();
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | UnsupportedOperationException e) {
            logger.log(Level.WARNING, "cannot watch {0}; the runner socket is narrowed to its owner only once, when"
                    + " the runner is ready: {1}", directory, e.toString());
            return null;
        }
        SocketGuard guard = new SocketGuard(socketPath, logger, watch);
        Thread thread = new Thread(guard::guard, "gatekit-runner-socket-guard");
        thread.setDaemon(true);
        thread.start();
        return guard;
    }

    /**
     * Narrows the socket file to its owner when it is open to anyone else; returns the mode it had
     * when it was changed, else {@code null}. A symbolic link is left alone (its target is not the
     * runner's socket), and so is a file this process does not own (a runner started as another
     * user): the chmod fails.
     */
    static String restrict(Path socketPath, System.Logger logger) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(socketPath, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink() || attributes.permissions().equals(OWNER_ONLY)) {
                return null;
            }
            Files.setPosixFilePermissions(socketPath, OWNER_ONLY);
            return PosixFilePermissions.toString(attributes.permissions());
        } catch (NoSuchFileException e) {
            return null; // not bound yet, or gone with its runner
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            logger.log(Level.DEBUG, "socket {0} keeps its permissions: {1}", socketPath, e.toString());
            return null;
        }
    }

    private void guard() {
        Path name = socketPath.getFileName();
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean touched = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    touched |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
                }
                key.reset();
                if (touched) {
                    String was = restrict(socketPath, logger);
                    if (was != null) {
                        logger.log(Level.INFO, "runner socket {0} was {1}; narrowed to rw------- again", socketPath,
                                was);
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close(): the supervisor is done with the runner
        }
    }

    /** Ends the guard thread. */
    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
