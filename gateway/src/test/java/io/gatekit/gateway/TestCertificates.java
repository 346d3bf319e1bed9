package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Certificates made by the {@code openssl} CLI for one test class: a CA, and leaf certificates
 * signed by it for given DNS names, RSA or ECDSA. Also runs the CLI clients ({@code curl},
 * {@code openssl s_client}, {@code h2load}) the tests drive the gateway with.
 */
final class TestCertificates {

    /** A certificate and its key, as PEM text, and the files holding them. */
    record Pair(String cert, String key, Path certFile, Path keyFile) {
        /** The SSL resource JSON for {@code snis} with this pair. */
        String ssl(String... snis) {
            return "{\"cert\": " + json(cert) + ", \"key\": " + json(key) + ", \"snis\": ["
                    + List.of(snis).stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + "]}";
        }
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    record Result(int exitCode, String output) {
    }

    final Path dir;
    final Pair ca;
    private int serial;

    TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        requireTool("openssl");
        run("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=Gatekit Test CA'"
                + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
        this.ca = read("ca");
    }

    /** A leaf for {@code names} ({@code rsa} or {@code ec}), signed by the CA, valid for two days. */
    Pair leaf(String type, String... names) throws Exception {
        return leafSignedBy("ca", type, names);
    }

    /**
     * A leaf for {@code names} signed by the CA in {@code issuer}.crt/.key (the root {@code ca},
     * or an {@link #intermediate()}'s name); its file holds the leaf only.
     */
    Pair leafSignedBy(String issuer, String type, String... names) throws Exception {
        String name = "leaf" + ++serial;
        String newKey = type.equals("ec") ? "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1" : "-newkey rsa:2048";
        String san = List.of(names).stream().map(n -> "DNS:" + n).collect(Collectors.joining(","));
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        run("openssl req -new " + newKey + " -nodes -keyout " + name + ".key -out " + name + ".csr -subj '/CN="
                + names[0] + "'");
        run("openssl x509 -req -in " + name + ".csr -CA " + issuer + ".crt -CAkey " + issuer + ".key -set_serial "
                + (1000 + serial) + " -days 2 -out " + name + ".crt -extfile " + name + ".ext");
        return read(name);
    }

    /** A CA signed by the root {@code ca}: issue leaves with {@link #leafSignedBy} and its file name. */
    String intermediate() throws Exception {
        String name = "inter" + ++serial;
        Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=critical,CA:TRUE\n"
                + "keyUsage=critical,keyCertSign,cRLSign\n");
        run("openssl req -new -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name + ".csr -subj '/CN="
                + "Gatekit Test Intermediate " + serial + "'");
        run("openssl x509 -req -in " + name + ".csr -CA ca.crt -CAkey ca.key -set_serial " + (1000 + serial)
                + " -days 2 -out " + name + ".crt -extfile " + name + ".ext");
        return name;
    }

    /** A CA of its own, trusted by nothing the gateway has: for certificates it must refuse. */
    String otherCa() throws Exception {
        String name = "otherca" + ++serial;
        run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name + ".crt -days 2"
                + " -subj '/CN=Gatekit Other CA' -addext basicConstraints=critical,CA:TRUE"
                + " -addext keyUsage=critical,keyCertSign,cRLSign");
        return name;
    }

    /** A self-signed certificate whose validity ended yesterday (made with keytool, which can backdate). */
    Pair expired() throws Exception {
        String name = "expired" + ++serial;
        requireTool("keytool");
        run("keytool -genkeypair -keystore " + name + ".p12 -storetype PKCS12 -storepass secret -alias old -keyalg RSA"
                + " -keysize 2048 -dname CN=old.test -startdate -10d -validity 5");
        run("openssl pkcs12 -in " + name + ".p12 -passin pass:secret -nodes -out " + name + ".pem");
        String pem = Files.readString(dir.resolve(name + ".pem"));
        return new Pair(pem, pem, dir.resolve(name + ".pem"), dir.resolve(name + ".pem"));
    }

    private Pair read(String name) throws IOException {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        return new Pair(Files.readString(cert), Files.readString(key), cert, key);
    }

    Result run(String command) throws IOException, InterruptedException {
        Result result = exec(command);
        if (result.exitCode() != 0) {
            throw new AssertionError("`" + command + "` failed with " + result.exitCode() + ":\n" + result.output());
        }
        return result;
    }

    /** Runs {@code command} with bash in the certificates' folder, stdin closed. */
    Result exec(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish in 120 s: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Skips the calling test when {@code tool} is missing on a developer's machine; under CI
     * (where {@code .ci/run} installs it) a missing tool fails the test instead.
     */
    static void requireTool(String tool) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
        boolean present = process.waitFor() == 0;
        if (System.getenv("CI") != null) {
            assertEquals(true, present, tool + " is missing under CI; .ci/run installs it");
        }
        Assumptions.assumeTrue(present, tool + " is not installed: skipping (install it, or run under CI where "
                + ".ci/run installs it)");
    }

    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
