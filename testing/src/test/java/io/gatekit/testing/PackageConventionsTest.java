package io.gatekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageConventionsTest {

    @Test
    void packagesWithoutTheMarkOrWithoutPackageInfoAreNamed(@TempDir Path root) throws IOException {
        write(root, "module-info.java", "module x {}");
        write(root, "a/A.java", "package a; class A {}");
        write(root, "a/package-info.java", "@NonNullByDefault\npackage a;");
        write(root, "b/B.java", "package b; class B {}");
        write(root, "b/package-info.java", "/** No mark. */\npackage b;");
        write(root, "c/d/D.java", "package c.d; class D {}");
        write(root, "e/notes.txt", "no Java here");

        assertEquals(List.of("b", "c/d".replace('/', root.getFileSystem().getSeparator().charAt(0))),
                PackageConventions.notNullMarked(root));
    }

    @Test
    void aMissingSourceFolderIsAnError(@TempDir Path root) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PackageConventions.notNullMarked(root.resolve("src/main/java")));
        assertEquals(true, e.getMessage().startsWith("sourceRoot: "), e.getMessage());
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }
}
