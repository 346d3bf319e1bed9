package io.gatekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nullness rule as a test a module inherits: {@code class NullMarkedPackagesTest extends
 * NullMarkedPackagesCheck {}} checks the module's {@code src/main/java} with
 * {@link PackageConventions#notNullMarked}.
 */
public abstract class NullMarkedPackagesCheck {

    /** No package of {@code src/main/java} lacks {@code @NonNullByDefault}. */
    @Test
    public void everyPackageDeclaresItsNullnessDefault() {
        assertEquals(List.of(), PackageConventions.notNullMarked(Path.of("src/main/java")),
                "packages without @NonNullByDefault in their package-info.java");
    }
}
