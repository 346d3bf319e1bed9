package io.gatekit.runner;

import io.gatekit.runner.internal.ConfTokenCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Which runner a {@link RunnerClient}'s new connections reach, told by the socket file they reach:
 * a restarted runner binds a file of its own. Tokens are good only with the runner that issued them,
 * and runners number them afresh, so when the file changes every token is dropped and the change is
 * counted: a call holding a token from before the count changed gets a new one.
 */
final class RunnerIdentity {

    private static final System.Logger LOG = System.getLogger(RunnerClient.class.getName());

    private final Path socketPath;
    private final ConfTokenCache tokens;
    private final Object lock = new Object();
    /** The socket file the last new connection reached, as (file key, modification time); guarded by lock. */
    private Object runnerFile;
    /** How many times a new connection reached another socket file than the one before. */
    private volatile long changes;

    RunnerIdentity(Path socketPath, ConfTokenCache tokens) {
        this.socketPath = socketPath;
        this.tokens = tokens;
    }

    /** How many times the runner was found replaced; a token read before a change may name another conf. */
    long changes() {
        return changes;
    }

    /**
     * Notes the socket file a new connection reached. Another file than last time is another
     * runner (it bound its own): its tokens are not ours, so every token is dropped, and counting
     * the change makes calls holding an older token get a new one (see {@link ConfTokenCall}).
     * The file is read just after connecting, so a change racing with the connect may drop the
     * tokens once too often, never too rarely.
     */
    void connected() {
        Object file = socketFile(socketPath);
        if (file == null) {
            return; // cannot tell: the supervisor (if any) and the runner's own errors still apply
        }
        synchronized (lock) {
            if (runnerFile != null && !runnerFile.equals(file)) {
                tokens.flush(); // before the count changes: a call that sees the new count sees no old token
                changes++;
                LOG.log(System.Logger.Level.INFO, "runner on " + socketPath + " was replaced; its conf tokens"
                        + " are dropped");
            }
            runnerFile = file;
        }
    }

    /** The socket file's identity, or {@code null} when it cannot be read. */
    private static Object socketFile(Path socketPath) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(socketPath, BasicFileAttributes.class);
            // the key alone (device, inode) may come back for a new file; the time it was made does not
            return List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
