package io.gatekit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * House rules on a module's sources that a test checks: every package declares its nullness
 * default ({@code @NonNullByDefault} in its {@code package-info.java}), so that only what is marked
 * {@code @Nullable} may be null.
 *
 * <pre>{@code
 * assertEquals(List.of(), PackageConventions.notNullMarked(Path.of("src/main/java")));
 * }</pre>
 */
public final class PackageConventions {

    private static final String MARK = "@NonNullByDefault";

    private PackageConventions() {
    }

    /**
     * The packages under {@code sourceRoot} (a {@code src/main/java} folder, relative to the module
     * the test runs in) whose {@code package-info.java} is missing or lacks {@code @NonNullByDefault},
     * as paths relative to {@code sourceRoot}; empty when every package keeps the rule.
     *
     * @param sourceRoot the source folder
     * @return the offending packages, sorted
     */
    public static List<String> notNullMarked(Path sourceRoot) {
        if (!Files.isDirectory(sourceRoot)) {
            throw new IllegalArgumentException("sourceRoot: " + sourceRoot.toAbsolutePath()
                    + " (expected: a source folder such as src/main/java)");
        }
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .map(Path::getParent)
                    .filter(dir -> !dir.equals(sourceRoot)) // module-info.java
                    .distinct()
                    .filter(dir -> !marked(dir.resolve("package-info.java")))
                    .map(dir -> sourceRoot.relativize(dir).toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean marked(Path packageInfo) {
        try {
            return Files.exists(packageInfo) && Files.readString(packageInfo).contains(MARK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
