#!/usr/bin/env bash
# A CPU profile of the gateway's plain proxy path under wrk, with the JDK's Flight Recorder.
#
#   bash benchmarks/e2e/profile.sh                 # from the repository root; about a minute
#   ROUTE=two-plugins bash benchmarks/e2e/profile.sh
#
# Starts on 127.0.0.1 an upstream (nginx, the e2e script's static 1 KB answer) and the gateway
# (pinned to SUT_CPU, as in run.sh, with -XX:StartFlightRecording using the JDK's "profile"
# settings), drives ROUTE (plain: no plugins; two-plugins) with wrk for WARMUP then DURATION
# seconds, and prints, for DURATION: the top frames of the CPU samples by self time (the frame on
# top of the stack) and inclusive (anywhere on it), as shares of all samples; the bytes allocated
# per request; and the classes and gatekit frames that allocate the most (JFR's sampled weights).
# Also the gateway's context switches per request over DURATION (all its threads, from /proc).
# Settings (environment): DURATION (20), WARMUP (10), CONNECTIONS (32), ROUTE, TRANSPORT (auto),
# WORKERS (auto; nginx_config.worker_processes),
# GATEWAY_JAR and BENCH_JAR (this build's; another build's to profile it), OUT (where the .jfr and
# the tables go, benchmarks/e2e/results/profile), TOP (25), LOAD_CPU (0), SUT_CPU (1), JAVA_OPTS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$ROOT/benchmarks/e2e"
OUT="${OUT:-$E2E/results/profile}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUTE="${ROUTE:-plain}"
TRANSPORT="${TRANSPORT:-auto}"
WORKERS="${WORKERS:-auto}"
TOP="${TOP:-25}"
LOAD_CPU="${LOAD_CPU:-0}"
SUT_CPU="${SUT_CPU:-1}"
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
GATEWAY_JAR="${GATEWAY_JAR:-$ROOT/gateway/target/gatekit-gateway.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}"
UPSTREAM_PORT=18180; GW_PORT=19180; GW_ADMIN_PORT=19181; GW_METRICS_PORT=19182

LOG_TAG=profile
# shellcheck source=../lib.sh
source "$ROOT/benchmarks/lib.sh"

install_packages wrk:wrk nginx:nginx curl:curl taskset:util-linux python3:python3
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -f "$GATEWAY_JAR" && -f "$BENCH_JAR" ]] || die "build the jars first: mvn -q -DskipTests package"
for port in $UPSTREAM_PORT $GW_PORT $GW_ADMIN_PORT $GW_METRICS_PORT; do
  port_free "$port" || die "port $port is in use on 127.0.0.1"
done

WORK="$(mktemp -d /tmp/gatekit-profile.XXXXXX)"
trap 'stop_processes; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"

body="$(head -c 1024 /dev/zero | tr '\0' 'x')"
{
  nginx_conf_head upstream
  cat <<CONF
  server { listen 127.0.0.1:$UPSTREAM_PORT backlog=4096; location / { return 200 "$body"; } }
}
CONF
} >"$WORK/upstream.conf"
cat >"$WORK/config.yaml" <<CONF
apisix:
  node_listen: [{ip: 127.0.0.1, port: $GW_PORT}]
deployment:
  admin:
    admin_listen: {ip: 127.0.0.1, port: $GW_ADMIN_PORT}
plugin_attr:
  prometheus:
    export_addr: {ip: 127.0.0.1, port: $GW_METRICS_PORT}
nginx_config:
  worker_processes: $WORKERS
gatekit:
  standalone_config: $WORK/routes.json
  transport: $TRANSPORT
CONF
upstream="\"upstream\": {\"type\": \"roundrobin\", \"nodes\": {\"127.0.0.1:$UPSTREAM_PORT\": 1}}"
cat >"$WORK/routes.json" <<CONF
{"routes": [
  {"id": "plain", "uri": "/plain", $upstream},
  {"id": "two-plugins", "uri": "/two-plugins", $upstream,
   "plugins": {"bench-stamp": {"value": "e2e"}, "bench-count": {"label": "two-plugins"}}}
]}
CONF

start() { # name cpu command...
  local name=$1 cpu=$2; shift 2
  taskset -c "$cpu" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
start upstream "$LOAD_CPU" "$NGINX" -e "$WORK/upstream-error.log" -c "$WORK/upstream.conf"
# the recording starts with the JVM; the samples of the warm-up are left out by time below
# shellcheck disable=SC2086
start gateway "$SUT_CPU" java $JAVA_OPTS -XX:StartFlightRecording=settings=profile,filename="$OUT/gateway.jfr",dumponexit=true \
  -cp "$GATEWAY_JAR:$BENCH_JAR" io.gatekit.gateway.GatewayMain --config "$WORK/config.yaml"
GATEWAY_PID=${PIDS[-1]}
URL="http://127.0.0.1:$GW_PORT/$ROUTE"
wait_http "$URL"
log "warm-up: ${WARMUP}s on $URL"
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL" >/dev/null
# switches pid: the voluntary and involuntary context switches of all the process's threads so far
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
FROM="$(date -u +%Y-%m-%dT%H:%M:%S)"
SWITCHES_FROM="$(switches "$GATEWAY_PID")"
log "measured: ${DURATION}s"
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL" | tee "$OUT/wrk.txt"
SWITCHES_TO="$(switches "$GATEWAY_PID")"
TO="$(date -u +%Y-%m-%dT%H:%M:%S)"
kill -TERM "$GATEWAY_PID"
for _ in $(seq 1 50); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.2; done
[[ -s "$OUT/gateway.jfr" ]] || die "no recording in $OUT/gateway.jfr; see $WORK/gateway.log"
REQUESTS="$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")"
jfr print --json --stack-depth 64 --events jdk.ExecutionSample,jdk.GCHeapSummary,jdk.ObjectAllocationSample \
  "$OUT/gateway.jfr" >"$WORK/events.json"
python3 "$E2E/profile.py" "$WORK/events.json" "$FROM" "$TO" "$TOP" "$REQUESTS" | tee "$OUT/top-frames.md"
awk -v n="$((SWITCHES_TO - SWITCHES_FROM))" -v r="$REQUESTS" -v w="$WORKERS" 'BEGIN {
  printf "\ncontext switches of the gateway (worker_processes %s): %d, %.3f per request\n", w, n, n / r }' \
  | tee -a "$OUT/top-frames.md"
log "recording: $OUT/gateway.jfr; tables: $OUT/top-frames.md"
