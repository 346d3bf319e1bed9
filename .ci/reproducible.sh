#!/usr/bin/env bash
# Reproducible builds: checks every module's build plan against the plugins known to build
# unreproducibly (maven-artifact-plugin), then builds gatekit-api and gatekit-engine twice, each
# from its own clean copy of the sources in a different folder, the second under another time
# zone, and fails unless every jar (classes, sources, javadoc) and POM comes out byte for byte the
# same. The umask is part of the
# build environment, as for any Maven build: the jars record file modes, so build releases under
# umask 022.
#
# -am builds what they depend on (the parent, gatekit-testing for their tests) in the same clean copy.
# The two builds run offline (-o) on what a previous build put in the local repository; .ci/run
# calls this after `mvn -B verify`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
modules=(api engine)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

copy_sources() {   # the files git would commit, untracked ones included: no target/ from earlier builds
  mkdir -p "$2"
  (cd "$1" && git ls-files -z --cached --others --exclude-standard) \
    | (cd "$1" && xargs -0 cp --parents -t "$2")
}

build() {   # $1: folder name; the rest: environment for that build
  umask 022
  local dir="$work/$1"
  shift
  copy_sources "$root" "$dir"
  echo "reproducible: building ${modules[*]} in $dir"
  (cd "$dir" && env "$@" mvn -B -o -q -Dstyle.color=never -DskipTests -pl "$(IFS=,; echo "${modules[*]}")" -am package)
}

# every module: no plugin version known to build unreproducibly, and an outputTimestamp set
echo "reproducible: maven-artifact-plugin check-buildplan"
# (not offline: the first run on a machine resolves this plugin, which the build itself does not use)
(cd "$root" && mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-artifact-plugin:3.6.0:check-buildplan) \
  || { echo "reproducible: FAILED: check-buildplan found a plugin known to build unreproducibly" >&2; exit 1; }

build first TZ=UTC
build second-with-another-path TZ=Pacific/Kiritimati

failed=0
compared=0
for module in "${modules[@]}"; do
  for a in "$work/first/$module/target/"*.jar "$work/first/$module/pom.xml"; do
    b="$work/second-with-another-path/${a#"$work/first/"}"
    name="${a#"$work/first/"}"
    compared=$((compared + 1))
    if cmp -s "$a" "$b"; then
      echo "reproducible: same   $(sha256sum "$a" | cut -c1-16)  $name"
    else
      failed=1
      echo "reproducible: DIFFER $name" >&2
      if [[ "$a" == *.jar ]]; then   # say which entries differ
        mkdir -p "$work/x1" "$work/x2"
        rm -rf "$work/x1/"* "$work/x2/"*
        (cd "$work/x1" && jar xf "$a") && (cd "$work/x2" && jar xf "$b")
        diff -rq "$work/x1" "$work/x2" >&2 || true
        jar tvf "$a" > "$work/l1" && jar tvf "$b" > "$work/l2"
        diff "$work/l1" "$work/l2" | head -40 >&2 || true
      fi
    fi
  done
done
if [ "$compared" -lt 6 ]; then
  echo "reproducible: expected at least 6 files (jar, sources, javadoc for each module), compared $compared" >&2
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "reproducible: FAILED: two clean builds of the same sources differ" >&2
  exit 1
fi
echo "reproducible: $compared files byte-identical across two clean builds"
