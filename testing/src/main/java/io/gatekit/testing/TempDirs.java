package io.gatekit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary folders for tests that hand a path to another process or a server (a unix socket, an
 * etcd data dir, a servlet container's base): made with a short name, deleted with all they hold.
 *
 * <pre>{@code
 * Path dir = TempDirs.create("gk-peer-");   // unix socket paths must stay under ~100 bytes
 * ...
 * TempDirs.delete(dir);
 * }</pre>
 */
public final class TempDirs {

    private TempDirs() {
    }

    /** A new folder under the system's temp folder, its name starting with {@code prefix}. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
