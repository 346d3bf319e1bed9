#!/usr/bin/env bash
# Soak run of the Gatekit gateway: steady load for DURATION seconds through routes with
# proxy-mirror and ext-plugin-pre-req (the released APISIX Java Plugin Runner, with a filter that
# changes nothing), sampling the gateway's memory and open file descriptors every INTERVAL seconds.
# Not part of CI: it takes 10 minutes.
#
#   bash benchmarks/soak/run.sh                 # from the repository root; about 11 minutes
#   DURATION=60 bash benchmarks/soak/run.sh     # a short check of the set-up
#
# All on 127.0.0.1, ports 29080-29099: an nginx serving the upstream (1 KB answer) and a healthy
# mirror; a mirror port nobody listens on (a dead mirror); the gateway, whose ext-plugin.cmd starts
# the released runner jar (apisix-runner-starter, copied from Maven) with runner-protocol's test
# filters on its loader path. wrk drives, paced (PAUSE_MS between a response and the next request
# on each connection) so the run does not starve the machine, three routes in turn:
#   /soak/both    proxy-mirror (healthy) + ext-plugin-pre-req (gk-none)
#   /soak/dead    proxy-mirror to the dead port + ext-plugin-pre-req (gk-none)
#   /soak/plain   no plugin
# Every INTERVAL s a line goes to $OUT/samples.csv (and one more, 2 s after the load, to
# $OUT/idle-after.csv): seconds, gateway RSS (VmRSS, KiB), live heap (old generation used right
# after a full GC: jcmd GC.run then GC.heap_info, KiB), metaspace, open fds of the gateway, threads of
# the gateway, RSS and fds of the runner, requests and non-2xx answers so far (from the gateway's
# Prometheus metrics). At the end it prints first/last/max after warm-up and a verdict: flat when the
# mean of the last three samples is within TOLERANCE_PCT of the mean of the first three after
# WARMUP s (every gateway figure; the
# runner's RSS is only reported).
#
# Settings (environment): DURATION (600), INTERVAL (10), WARMUP (60), CONNECTIONS (16),
# PAUSE_MS (1), TOLERANCE_PCT (10), JAVA_OPTS, BUILD=0 to use the jars already built (default: rebuild), OUT (results dir).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SOAK="$ROOT/benchmarks/soak"
OUT="${OUT:-$SOAK/results}"
DURATION="${DURATION:-600}"
INTERVAL="${INTERVAL:-10}"
WARMUP="${WARMUP:-60}"
CONNECTIONS="${CONNECTIONS:-16}"
PAUSE_MS="${PAUSE_MS:-1}"
TOLERANCE_PCT="${TOLERANCE_PCT:-10}"
# a fixed, pre-touched heap: its pages are resident from the start, so RSS growth is the rest
# (direct buffers, metaspace, threads, code); the live heap is measured apart, after a full GC
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC}"

GATEWAY_JAR="$ROOT/gateway/target/gatekit-gateway.jar"
RUNNER_JAR="$ROOT/runner-protocol/target/apisix-runner/apisix-runner-starter.jar" # copied below
RUNNER_FILTERS="$ROOT/runner-protocol/target/test-classes"

UPSTREAM_PORT=29080; MIRROR_PORT=29081; DEAD_MIRROR_PORT=29082
GW_PORT=29090; GW_ADMIN_PORT=29091; GW_METRICS_PORT=29092

LOG_TAG=soak
# shellcheck source=../lib.sh
source "$ROOT/benchmarks/lib.sh"

install_missing() {
  install_packages wrk:wrk nginx:nginx curl:curl python3:python3
  command -v jcmd >/dev/null || die "jcmd not found: run with a JDK (not a JRE) on the PATH"
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  if [[ ! -f "$GATEWAY_JAR" || ! -d "$RUNNER_FILTERS/org/apache/apisix" || "${BUILD:-1}" != 0 ]]; then
    # -DskipTests still compiles the test classes (the runner's filters)
    log "building the gateway jar and the runner's filters (mvn -q -DskipTests -pl gateway -am package)"
    (cd "$ROOT" && mvn -q -B -DskipTests -pl gateway -am package)
  fi
  if [[ ! -f "$RUNNER_JAR" ]]; then
    local version
    version="$(sed -n 's|.*<apisix-runner.version>\(.*\)</apisix-runner.version>.*|\1|p' "$ROOT/pom.xml")"
    log "copying the released runner apisix-runner-starter $version (mvn dependency:copy)"
    (cd "$ROOT" && mvn -q -B -N dependency:copy -Dartifact="org.apache.apisix:apisix-runner-starter:$version" \
      -DoutputDirectory="$(dirname "$RUNNER_JAR")" -Dmdep.stripVersion=true)
  fi
}

WORK=""
cleanup() {
  local status=$?
  set +e
  stop_processes
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    mkdir -p "$OUT/raw"
    cp "$WORK"/*.log "$OUT/raw/" 2>/dev/null
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # name command... : in the background, output to $WORK/name.log; sets LAST_PID
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}


write_configs() {
  local body; body="$(head -c 1024 /dev/zero | tr '\0' 'x')"
  {
    nginx_conf_head upstream
    cat <<EOF
  server { listen 127.0.0.1:$UPSTREAM_PORT backlog=4096; location / { return 200 "$body"; } }
  server { listen 127.0.0.1:$MIRROR_PORT backlog=4096; location / { return 200 "mirrored"; } }
}
EOF
  } >"$WORK/upstream.conf"
  cat >"$WORK/config.yaml" <<EOF
apisix:
  node_listen: [{ip: 127.0.0.1, port: $GW_PORT}]
deployment:
  admin:
    admin_listen: {ip: 127.0.0.1, port: $GW_ADMIN_PORT}
    admin_key: [{name: admin, key: soak-admin-key, role: admin}]
plugin_attr:
  prometheus:
    export_addr: {ip: 127.0.0.1, port: $GW_METRICS_PORT}
ext-plugin:
  cmd: ["java", "-Xmx256m", "-XX:+UseSerialGC", "-Dloader.path=$RUNNER_FILTERS", "-jar", "$RUNNER_JAR"]
gatekit:
  standalone_config: $WORK/routes.json
EOF
  local upstream="\"upstream\": {\"type\": \"roundrobin\", \"nodes\": {\"127.0.0.1:$UPSTREAM_PORT\": 1}}"
  local runner="\"ext-plugin-pre-req\": {\"conf\": [{\"name\": \"gk-none\", \"value\": \"{}\"}]}"
  cat >"$WORK/routes.json" <<EOF
{"routes": [
  {"id": "both", "uri": "/soak/both", $upstream,
   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:$MIRROR_PORT"}, $runner}},
  {"id": "dead", "uri": "/soak/dead", $upstream,
   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:$DEAD_MIRROR_PORT"}, $runner}},
  {"id": "plain", "uri": "/soak/plain", $upstream}
]}
EOF
  cat >"$WORK/rotate.lua" <<EOF
-- each request goes to the next of the three routes; PAUSE_MS between answer and next request
local paths = {"/soak/both", "/soak/dead", "/soak/plain"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
delay = function() return $PAUSE_MS end
done = function(summary, latency, requests)
  io.write(string.format("GK_RESULT requests=%d seconds=%.1f p50_us=%d p99_us=%d max_us=%d "
    .. "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
EOF
}

metric_sum() { # regex over the metrics text -> sum of the matching samples' values
  curl -s --max-time 5 "http://127.0.0.1:$GW_METRICS_PORT/apisix/prometheus/metrics" \
    | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re { s += $2 } END { printf "%d", s }'
}

sample() { # seconds -> one CSV line
  local t=$1 gw=$GW_PID rss heap meta fds threads runner rrss rfds total bad
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$gw/status")"
  threads="$(awk '/^Threads:/ {print $2}' "/proc/$gw/status")"
  fds="$(ls "/proc/$gw/fd" | wc -l)"
  jcmd "$gw" GC.run >/dev/null 2>&1 || true
  # a full GC moves what is alive to the old generation; the young one fills again at once under
  # load, so the old generation's "used" is the live heap ("ParOldGen total 3K, used 4K [...")
  heap="$(jcmd "$gw" GC.heap_info 2>/dev/null | awk '$1 == "ParOldGen" { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?$/, "", v); print v } }')"
  meta="$(jcmd "$gw" GC.heap_info 2>/dev/null | awk '$1 == "Metaspace" { v = $3; sub(/K,?$/, "", v); print v }')"
  runner="$(pgrep -P "$gw" | head -1 || true)"
  if [[ -n "$runner" && -d "/proc/$runner" ]]; then
    rrss="$(awk '/^VmRSS:/ {print $2}' "/proc/$runner/status")"
    rfds="$(ls "/proc/$runner/fd" | wc -l)"
  else
    rrss=0; rfds=0
  fi
  total="$(metric_sum '^gatekit_http_requests_total')"
  bad="$(metric_sum '^gatekit_http_requests_total.*code="[^2]')"
  echo "$t,$rss,${heap:-0},${meta:-0},$fds,$threads,$rrss,$rfds,$total,$bad"
}

write_env() {
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with local changes)')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
    echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "gateway java options: $JAVA_OPTS"
    echo "load: wrk -t1 -c$CONNECTIONS, ${PAUSE_MS} ms pauses, ${DURATION} s; samples every ${INTERVAL} s, warm-up ${WARMUP} s"
    echo "machine load at the end (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$OUT/env.txt"
}

main() {
  install_missing
  for port in $UPSTREAM_PORT $MIRROR_PORT $DEAD_MIRROR_PORT $GW_PORT $GW_ADMIN_PORT $GW_METRICS_PORT; do
    port_free "$port" || die "port $port is in use on 127.0.0.1"
  done
  WORK="$(mktemp -d /tmp/gatekit-soak.XXXXXX)"
  mkdir -p "$OUT"
  rm -rf "$OUT/raw"
  write_configs
  start upstream "$NGINX" -e "$WORK/upstream-error.log" -c "$WORK/upstream.conf"
  start gateway java $JAVA_OPTS -jar "$GATEWAY_JAR" --config "$WORK/config.yaml"
  GW_PID=$LAST_PID
  wait_http "http://127.0.0.1:$UPSTREAM_PORT/" 200 60
  wait_http "http://127.0.0.1:$GW_PORT/soak/plain" 200 60
  wait_http "http://127.0.0.1:$GW_PORT/soak/both" 200 120
  wait_http "http://127.0.0.1:$GW_PORT/soak/dead" 200 60
  log "gateway pid $GW_PID, runner pid $(pgrep -P "$GW_PID" | head -1); load: wrk -t1 -c$CONNECTIONS," \
    "${PAUSE_MS} ms pauses, ${DURATION}s; sampling every ${INTERVAL}s into $OUT/samples.csv"

  echo "seconds,gateway_rss_kib,gateway_heap_after_gc_kib,gateway_metaspace_kib,gateway_fds,gateway_threads,runner_rss_kib,runner_fds,requests,non_2xx" \
    >"$OUT/samples.csv"
  sample 0 >>"$OUT/samples.csv"
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$WORK/rotate.lua" "http://127.0.0.1:$GW_PORT" \
    >"$WORK/wrk.log" 2>&1 &
  local wrk_pid=$! started=$SECONDS
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep "$INTERVAL"
    kill -0 "$wrk_pid" 2>/dev/null || break
    local line; line="$(sample $((SECONDS - started)))"
    echo "$line" >>"$OUT/samples.csv"
    log "sample $line"
  done
  wait "$wrk_pid" || die "wrk failed; see $WORK/wrk.log"
  sleep 2
  # once more with the load gone: what the gateway keeps when idle (not part of the verdict)
  { head -1 "$OUT/samples.csv"; sample $((SECONDS - started)); } >"$OUT/idle-after.csv"
  grep '^GK_RESULT' "$WORK/wrk.log" >"$OUT/wrk.txt" || die "wrk printed no result; see $WORK/wrk.log"
  curl -s --max-time 5 "http://127.0.0.1:$GW_METRICS_PORT/apisix/prometheus/metrics" \
    | grep -E '^gatekit_(http_requests|mirror_requests|upstream_failures|plugin_errors)' >"$OUT/metrics.txt" || true
  write_env
  python3 - "$OUT" "$WARMUP" "$TOLERANCE_PCT" <<'EOF' | tee "$OUT/summary.txt"
import csv, sys
out, warmup, tolerance = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rows = [{k: int(v) for k, v in r.items()} for r in csv.DictReader(open(out + "/samples.csv"))]
after = [r for r in rows if r["seconds"] >= warmup] or rows
wrk = dict(kv.split("=", 1) for kv in open(out + "/wrk.txt").read().split()[1:])
print(f"wrk: {wrk['requests']} requests in {wrk['seconds']} s, p50 {wrk['p50_us']} us, p99 {wrk['p99_us']} us, "
      f"errors connect/read/write/timeout/status {wrk['err_connect']}/{wrk['err_read']}/{wrk['err_write']}/"
      f"{wrk['err_timeout']}/{wrk['err_status']}")
idle = [{k: int(v) for k, v in r.items()} for r in csv.DictReader(open(out + "/idle-after.csv"))][0]
print(f"gateway metrics: {idle['requests']} requests answered, {idle['non_2xx']} not 2xx")
verdicts = []
for col, unit, judged in [("gateway_rss_kib", "KiB", True), ("gateway_heap_after_gc_kib", "KiB", True),
                          ("gateway_metaspace_kib", "KiB", True),
                          ("gateway_fds", "", True), ("gateway_threads", "", True),
                          ("runner_rss_kib", "KiB", False), ("runner_fds", "", True)]:
    # three samples a side: one sample under load can catch a burst
    base = sum(r[col] for r in after[:3]) // len(after[:3])
    last = sum(r[col] for r in after[-3:]) // len(after[-3:])
    top = max(r[col] for r in after)
    growth = (last - base) * 100.0 / base if base else 0.0
    flat = growth <= tolerance
    if judged:
        verdicts.append(flat)
    print(f"{col:26s} start {rows[0][col]:>9} {unit:3s} after warm-up {base:>9}  at the end {last:>9}  max {top:>9}  "
          f"growth {growth:+.1f}%  idle after {idle[col]:>9}{'' if judged else ' (reported)'}"
          f"{'' if flat else '  GROWING'}")
ok = all(verdicts) and int(wrk["err_connect"]) + int(wrk["err_read"]) + int(wrk["err_timeout"]) == 0 \
    and idle["non_2xx"] == 0
print("verdict:", "FLAT (no leak, no failed request)" if ok else "NOT FLAT or requests failed: look at samples.csv")
EOF
}

main "$@"
