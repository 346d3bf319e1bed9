package io.gatekit.runner;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The command line of the released APISIX Java Plugin Runner (apisix-runner-starter, a test
 * dependency) with filters on its loader path, for the tests of every module that run it as a peer:
 * each filter is named by one of its classes, and the directory or jar holding that class goes on
 * the runner's {@code loader.path}.
 */
public final class JavaRunnerCommand {

    private JavaRunnerCommand() {
    }

    /**
     * The runner's argv, with the class-path roots of {@code filterClasses} (class file resources
     * such as {@code org/apache/apisix/plugin/runner/gatekit/GkStopFilter.class}) as its loader path.
     */
    public static List<String> argv(String... filterClasses) {
        List<String> roots = new ArrayList<>();
        for (String filterClass : filterClasses) {
            roots.add(classRoot(filterClass));
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-Dloader.path=" + String.join(",", roots),
                "-jar", classRoot("org/springframework/boot/loader/PropertiesLauncher.class"));
    }

    /** The jar or directory of the test class path that a class file resource comes from. */
    public static String classRoot(String resource) {
        try {
            List<URL> found = Collections.list(JavaRunnerCommand.class.getClassLoader().getResources(resource));
            if (found.isEmpty()) {
                throw new IllegalStateException(resource + ": not on the test class path (expected: run through"
                        + " Maven, with runner-protocol's test-jar and apisix-runner-starter as test dependencies)");
            }
            URL url = found.get(0);
            if (url.getProtocol().equals("jar")) {
                String file = url.getPath().substring(0, url.getPath().indexOf("!/"));
                return Path.of(new URL(file).toURI()).toString();
            }
            Path path = Path.of(url.toURI());
            for (int i = resource.split("/").length; i > 0; i--) {
                path = path.getParent();
            }
            return path.toString();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + resource, e);
        }
    }
}
