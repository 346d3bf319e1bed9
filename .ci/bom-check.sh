#!/usr/bin/env bash
# gatekit-bom as a user meets it. After `mvn -B verify`:
#  1. every published module (the artifacts gatekit-bom lists) has its jar, sources jar and javadoc
#     jar; each jar names its Java module and carries Implementation-Version; each effective POM
#     has name, description, url, licence, developers and scm (what Maven Central asks for); and
#     every jar module of the reactor outside examples/, benchmarks/ and testing/ is listed in the BOM;
#  2. those files and the parent and BOM POMs go into a throwaway local repository, laid out as
#     `mvn install` would (never ~/.m2: other builds must not see this branch's snapshots);
#  3. a throwaway project outside the reactor imports gatekit-bom, depends on every listed artifact
#     without a version, resolves their sources and javadoc jars, compiles against them and runs a
#     test: the engine finds the built-in plugins on that class path;
#  4. a Spring Boot application outside the reactor, with the starter and one gatekit.config file,
#     serves a route whose requests reach the upstream and whose copies reach the mirror.
# The throwaway project gets third-party artifacts from the local repository (~/.m2/repository,
# or $GATEKIT_M2_REPO) through a file:// mirror, so it downloads nothing: it needs what
# `mvn -B verify` resolved. (help:effective-pom is resolved from Central on a machine's first run,
# and so are the versions Spring Boot's BOM manages for the application of step 4.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
m2="${GATEKIT_M2_REPO:-$HOME/.m2/repository}"
work="$(mktemp -d)"
[ -n "${GATEKIT_KEEP_WORK:-}" ] && echo "bom-check: keeping $work" || trap 'rm -rf "$work"' EXIT
fail() { echo "bom-check: $*" >&2; exit 1; }

pom_start() {   # $1 artifactId: a com.example project's head, on Java 17, opening its dependencyManagement
  cat <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>$1</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement>
    <dependencies>
XML
}

bom_import() {   # $1 groupId, $2 artifactId, $3 version: a BOM imported into dependencyManagement
  cat <<XML
      <dependency>
        <groupId>$1</groupId>
        <artifactId>$2</artifactId>
        <version>$3</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
XML
}

cd "$root"
version="$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)"
[ -n "$version" ] || fail "cannot read the project version from pom.xml"
mapfile -t published < <(sed -n 's|^ *<artifactId>\(gatekit-[a-z0-9-]*\)</artifactId>$|\1|p' bom/pom.xml | grep -vx gatekit-bom)
[ "${#published[@]}" -gt 0 ] || fail "gatekit-bom lists no artifact"
echo "bom-check: gatekit-bom $version lists ${published[*]}"

# --- 1. the reactor's published modules -------------------------------------------------------
for pom in */pom.xml; do   # every jar module at the top is published, so in the BOM
  dir="${pom%/pom.xml}"
  case "$dir" in examples|benchmarks|testing|bom) continue ;; esac
  grep -q '<packaging>pom</packaging>' "$pom" && continue
  artifact="$(sed -n 's|^  <artifactId>\(.*\)</artifactId>$|\1|p' "$pom" | head -1)"
  printf '%s\n' "${published[@]}" | grep -qx "$artifact" \
    || fail "$dir ($artifact) is a published module missing from bom/pom.xml (or add it to the unpublished ones in CONTRIBUTING.md)"
done

# (not offline: the first run on a machine resolves this plugin, which the build itself does not use)
mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-help-plugin:3.5.1:effective-pom -Doutput="$work/effective.xml" >/dev/null \
  || fail "mvn help:effective-pom failed"
check_metadata() {   # $1 artifactId: its effective POM has what Central asks for
  awk -v want="$1" '
    /^  <project[ >]/ { inproj = 1; id = ""; next }
    inproj && id == "" && /^    <artifactId>/ { id = $0; sub(/.*<artifactId>/, "", id); sub(/<\/artifactId>.*/, "", id) }
    inproj && id == want && /^    <(name|description|url|licenses|developers|scm)[ >]/ {
      tag = $0; sub(/^ *</, "", tag); sub(/[ >].*/, "", tag); seen[tag] = 1 }
    /^  <\/project>/ { inproj = 0 }
    END {
      n = split("name description url licenses developers scm", need, " ")
      for (i = 1; i <= n; i++) if (!(need[i] in seen)) { print need[i]; bad = 1 }
      exit bad }' "$work/effective.xml"
}
for artifact in gatekit-parent "${published[@]}"; do
  missing="$(check_metadata "$artifact" | tr '\n' ' ')" || fail "$artifact: its POM lacks: $missing"
done
grep -q '<url>https://github.com/gatekit/gatekit</url>' "$work/effective.xml" || fail "the project url is not in the POMs"
if grep -q 'github.com/gatekit/gatekit/gatekit-' "$work/effective.xml"; then
  fail "a module's url or scm has its artifactId appended (child.*.inherit.append.path)"
fi

repo="$work/repository"
put() {   # $1 file, $2 artifactId, $3 suffix (-sources.jar, .pom, ...)
  [ -f "$1" ] || fail "$2: missing $1 (run mvn -B verify first)"
  install -D -m 644 "$1" "$repo/io/gatekit/$2/$version/$2-$version$3"
}
put pom.xml gatekit-parent .pom
put bom/pom.xml gatekit-bom .pom
for artifact in "${published[@]}"; do
  dir="${artifact#gatekit-}"
  [ -f "$dir/pom.xml" ] || fail "$artifact: no folder $dir (a published module gatekit-X lives in X/)"
  for suffix in .jar -sources.jar -javadoc.jar; do
    put "$dir/target/$artifact-$version$suffix" "$artifact" "$suffix"
  done
  put "$dir/pom.xml" "$artifact" .pom
  jar="$dir/target/$artifact-$version.jar"
  # "io.gatekit.api@0.1.0 jar:file:...module-info.class", or "io.gatekit.engine@0.1.0 automatic"
  # (the name from Automatic-Module-Name; without one it would be derived from the file name)
  described="$(jar --describe-module --file "$jar")"
  module="$(grep -m1 -oE '^[A-Za-z0-9_.]+@[^ ]* (automatic|jar:)' <<< "$described" || true)"
  case "$module" in io.gatekit.*) ;; *) fail "$artifact: its jar names no io.gatekit module: $described" ;; esac
  module="${module%% *}"
  module="${module%@*}"
  (cd "$work" && rm -rf manifest && mkdir manifest && cd manifest && jar xf "$root/$jar" META-INF/MANIFEST.MF)
  grep -q "^Implementation-Version: $version" "$work/manifest/META-INF/MANIFEST.MF" \
    || fail "$artifact: no Implementation-Version $version in its manifest"
  echo "bom-check: $artifact: jar, sources, javadoc; module $module"
done

# --- 2 and 3. a throwaway project that imports the BOM ------------------------------------------
cat > "$work/settings.xml" <<XML
<settings>
  <localRepository>$repo</localRepository>
  <mirrors>
    <mirror>
      <id>local-m2</id>
      <mirrorOf>*</mirrorOf>
      <url>file://$m2</url>
    </mirror>
  </mirrors>
</settings>
XML
consumer="$work/consumer"
mkdir -p "$consumer/src/test/java/com/example/consumer"
{
  pom_start bom-consumer
  bom_import io.gatekit gatekit-bom "$version"
  cat <<XML
    </dependencies>
  </dependencyManagement>
  <dependencies>
XML
  for artifact in "${published[@]}"; do
    printf '    <dependency><groupId>io.gatekit</groupId><artifactId>%s</artifactId></dependency>\n' "$artifact"
  done
  cat <<XML
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>
      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
      <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.3</version></plugin>
      <plugin><artifactId>maven-clean-plugin</artifactId><version>3.4.0</version></plugin>
      <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
XML
} > "$consumer/pom.xml"
cat > "$consumer/src/test/java/com/example/consumer/BomConsumerTest.java" <<'JAVA'
package com.example.consumer;

import io.gatekit.api.PluginFactory;
import io.gatekit.engine.Engine;
import io.gatekit.engine.PluginInfo;
import java.util.List;

/** Run by surefire without JUnit on the class path: a plain main-style check, as any user code. */
public class BomConsumerTest {
    public static void main(String[] args) {
        try (Engine engine = Engine.builder().discoverPlugins().build()) {
            List<String> names = engine.plugins().stream().map(PluginInfo::name).toList();
            if (!names.contains("proxy-mirror") || !names.contains("ext-plugin-post-resp")) {
                throw new AssertionError("built-in plugins not found through gatekit-bom: " + names);
            }
            System.out.println("bom-consumer: " + PluginFactory.class.getName() + " and engine found " + names);
        }
    }
}
JAVA
cd "$consumer"
mvnc() { mvn -B -q -Dstyle.color=never -s "$work/settings.xml" "$@"; }
# a user's class path holds the third-party versions our tests ran on: nearest-wins without our
# dependencyManagement must land where our pins do (the trees need POMs only, so this runs first)
mvnc dependency:tree -DoutputFile="$work/consumer.tree" >"$work/tree.log" 2>&1 \
  || { cat "$work/tree.log" >&2; fail "the BOM does not resolve every io.gatekit artifact"; }
(cd "$root" && mvn -B -o -q -Dstyle.color=never dependency:tree -DoutputFile="$work/trees/\${project.artifactId}.tree" >/dev/null) \
  || fail "mvn dependency:tree failed in the reactor"
versions() {   # "group:artifact version" of each compile or runtime node of the trees on stdin
  sed -n 's/^[| +\\-]*\([^: ]*:[^: ]*\):[^:]*:\([^:]*\):\(compile\|runtime\)$/\1 \2/p' | grep -v '^io\.gatekit:' | sort -u
}
ours="$(for artifact in "${published[@]}"; do cat "$work/trees/$artifact.tree"; done | versions)"
theirs="$(versions < "$work/consumer.tree")"
differ="$(join <(echo "$ours") <(echo "$theirs") | awk '$2 != $3 { print "  " $1 ": ours " $2 ", a user gets " $3 }')"
[ -z "$differ" ] || fail "a user of the BOM gets other versions than our build tests:
$differ"
echo "bom-check: a user's $(echo "$theirs" | wc -l) third-party artifacts are at the versions our build uses"

mvnc test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test \
    >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "the consumer does not compile against the artifacts the BOM resolves"; }
for classifier in sources javadoc; do
  mvnc dependency:resolve -Dclassifier="$classifier" -DincludeGroupIds=io.gatekit -DexcludeTransitive=true \
      >"$work/$classifier.log" 2>&1 \
    || { cat "$work/$classifier.log" >&2; fail "$classifier jars do not resolve for every io.gatekit artifact"; }
done
java -cp "target/test-classes:$(cat "$work/classpath")" com.example.consumer.BomConsumerTest \
  || fail "the consumer's check failed"
echo "bom-check: passed: a project outside the reactor resolved ${#published[@]} artifacts (with sources and javadoc) through gatekit-bom and ran on them"

# --- 4. a Spring Boot application outside the reactor ---------------------------------------------
# The user's whole change for a mirrored route: the starter as a dependency, gatekit.config, and one
# file in APISIX's standalone layout. A request to the application's route reaches the upstream,
# and its copy reaches the mirror (both plain JDK servers in the check, on ports of their own).
boot_version="$(sed -n 's|^ *<spring-boot.version>\(.*\)</spring-boot.version>$|\1|p' "$root/pom.xml")"
[ -n "$boot_version" ] || fail "cannot read spring-boot.version from pom.xml"
app="$work/boot-app"
# Boot's BOM comes first, as in every Boot application, so the application gets Boot's versions of
# Jackson, Tomcat and Micrometer (our build tests newer ones): those come from Maven Central when
# the build did not resolve them, everything else from what the build resolved
cat > "$work/boot-settings.xml" <<XML
<settings>
  <localRepository>$repo</localRepository>
  <profiles>
    <profile>
      <id>build-first</id>
      <repositories>
        <repository><id>local-m2</id><url>file://$m2</url></repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository><id>local-m2</id><url>file://$m2</url></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>build-first</activeProfile></activeProfiles>
</settings>
XML
mkdir -p "$app/src/main/java/com/example/shop" "$app/src/test/java/com/example/shop"
{
  pom_start shop
  bom_import org.springframework.boot spring-boot-dependencies "$boot_version"
  bom_import io.gatekit gatekit-bom "$version"
  cat <<XML
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
    <dependency><groupId>io.gatekit</groupId><artifactId>gatekit-spring-boot-starter</artifactId></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
XML
} > "$app/pom.xml"
cat > "$app/src/main/java/com/example/shop/ShopApplication.java" <<'JAVA'
package com.example.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An ordinary Spring Boot application; Gatekit comes with the starter and gatekit.config. */
@SpringBootApplication
public class ShopApplication {
    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
JAVA
cat > "$app/src/test/java/com/example/shop/MirroredRouteCheck.java" <<'JAVA'
package com.example.shop;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The upstream and the mirror, then the application with gatekit.config naming one file. */
public class MirroredRouteCheck {
    public static void main(String[] args) throws Exception {
        LinkedBlockingQueue<String> upstream = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> mirror = new LinkedBlockingQueue<>();
        HttpServer up = server(upstream, "from the upstream");
        HttpServer copy = server(mirror, "from the mirror");
        Path config = Files.createTempFile("apisix", ".yaml");
        Files.writeString(config, """
                routes:
                  - id: orders
                    uri: /orders/*
                    upstream:
                      type: roundrobin
                      nodes:
                        "127.0.0.1:%d": 1
                    plugins:
                      proxy-mirror:
                        host: "http://127.0.0.1:%d"
                #END
                """.formatted(up.getAddress().getPort(), copy.getAddress().getPort()));
        try (ConfigurableApplicationContext app = SpringApplication.run(ShopApplication.class,
                "--server.address=127.0.0.1", "--server.port=0", "--spring.main.banner-mode=off",
                "--gatekit.config=file:" + config)) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/7?x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            expect(answer.statusCode() == 200 && answer.body().equals("from the upstream"),
                    "the route answers with the upstream's body: " + answer.statusCode() + " " + answer.body());
            expect("/orders/7?x=1".equals(upstream.poll(10, TimeUnit.SECONDS)), "the upstream got the request");
            expect("/orders/7?x=1".equals(mirror.poll(10, TimeUnit.SECONDS)), "the mirror got its copy");
            System.out.println("boot-app: a Spring Boot application outside the reactor mirrors its route");
        } finally {
            up.stop(0);
            copy.stop(0);
        }
    }

    private static HttpServer server(LinkedBlockingQueue<String> seen, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().toString());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void expect(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError(what);
        }
    }
}
JAVA
cd "$app"
mvn -B -q -Dstyle.color=never -s "$work/boot-settings.xml" test-compile dependency:build-classpath -Dmdep.outputFile="$work/boot-classpath" -Dmdep.includeScope=test \
    >"$work/boot-build.log" 2>&1 \
  || { cat "$work/boot-build.log" >&2; fail "a Spring Boot application with the starter does not build"; }
java -cp "target/classes:target/test-classes:$(cat "$work/boot-classpath")" com.example.shop.MirroredRouteCheck \
    >"$work/boot-run.log" 2>&1 \
  || { cat "$work/boot-run.log" >&2; fail "the Spring Boot application's mirrored route does not work"; }
grep 'boot-app:' "$work/boot-run.log"
echo "bom-check: passed: a Spring Boot application outside the reactor got a mirrored route from the starter and one gatekit.config file"
