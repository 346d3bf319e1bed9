#!/usr/bin/env bash
# End-to-end benchmark of the Gatekit gateway against its peers, on this one machine.
#
#   bash benchmarks/e2e/run.sh            # from the repository root; about 10 minutes
#   QUICK=1 bash benchmarks/e2e/run.sh    # one short round, to check the set-up (about 2 minutes)
#
# Starts, all on 127.0.0.1: an upstream and a healthy mirror (nginx, static 1 KB answer), a mirror
# that answers after 200 ms (TestServer), the gateway (with the benchmarks jar on its class path,
# for the in-process test plugins, and a no-op ext-plugin runner started from ext-plugin.cmd), a
# bare Netty forwarder, nginx as a reverse proxy with its mirror module, a servlet application
# on embedded Jetty alone and behind the Gatekit filter with no route matching (P13), and Spring Cloud
# Gateway (examples/spring-cloud-gateway-app) alone and with the Gatekit filter, no plugins (P12),
# and mirroring with the filter's proxy-mirror or with a hand-written filter (scg/HandMirrorConfig.java). wrk, pinned to its
# own core, drives each in turn; the servers under test share the other core. Every contender is
# run once per round, rounds alternate the order, and the ratios come from medians of the same
# invocation. Results go to benchmarks/e2e/results/ (results.csv, summary.md, chart.svg, env.txt;
# raw wrk and server logs under results/raw/). Everything started is stopped on exit.
#
# ONLY="servlet servlet-gk" measures P13 alone (everything is still started, only those are driven;
# the Spring Cloud Gateway applications only when one of them is selected: ONLY="scg scg-gk", or
# ONLY="scg-gk-mirror scg-hand-mirror" for the two mirroring ones).
# Settings (environment): DURATION (s per run, 8), WARMUP (s per contender, 10: the JVMs need it),
# ROUNDS (3), CONNECTIONS (32), PACED_DELAY_MS (2), LOAD_CPU (0), SUT_CPU (1), JAVA_OPTS, BUILD=0
# to use the jars already built (by default they are rebuilt, so a stale jar is never measured),
# ONLY="gw-0 bare ..." to run some contenders only, PORT_OFFSET (0) added to every port.
# TRANSPORT (auto; epoll or nio) is the gateway's gatekit.transport and the bare forwarder's
# --transport; WORKERS (auto: one per core of SUT_CPU, as nginx's worker_processes auto) their
# event loops (nginx_config.worker_processes, --workers). BASELINE=<dir> holding gatekit-gateway.jar
# and benchmarks.jar built from another commit also runs that build's gateway and bare forwarder
# (contenders base-gw-0, base-gw-2, base-gw-mirror, base-gw-mirror-slow, base-bare), alternated
# with this build's in every round.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$ROOT/benchmarks/e2e"
OUT="${OUT:-$E2E/results}"
if [[ "${QUICK:-0}" == 1 ]]; then
  DURATION="${DURATION:-5}"; WARMUP="${WARMUP:-3}"; ROUNDS="${ROUNDS:-1}"
fi
DURATION="${DURATION:-8}"
WARMUP="${WARMUP:-10}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
PACED_DELAY_MS="${PACED_DELAY_MS:-2}"
LOAD_CPU="${LOAD_CPU:-0}"
SUT_CPU="${SUT_CPU:-1}"
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
TRANSPORT="${TRANSPORT:-auto}"
WORKERS="${WORKERS:-auto}"
BASELINE="${BASELINE:-}"

GATEWAY_JAR="$ROOT/gateway/target/gatekit-gateway.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
SCG_APP="$ROOT/examples/spring-cloud-gateway-app/target"

# ports: upstream, mirrors, then the contenders' listeners; PORT_OFFSET (0) moves them all, so that
# a second checkout can run the script while another's run holds these
SHIFT=${PORT_OFFSET:-0}
UPSTREAM_PORT=$((18080 + SHIFT)); MIRROR_PORT=$((18081 + SHIFT)); SLOW_MIRROR_PORT=$((18082 + SHIFT))
GW_PORT=$((19080 + SHIFT)); GW_ADMIN_PORT=$((19180 + SHIFT)); GW_METRICS_PORT=$((19091 + SHIFT)); BARE_PORT=$((19081 + SHIFT))
NGINX_PORT=$((19082 + SHIFT)); SERVLET_PORT=$((19083 + SHIFT)); SERVLET_GK_PORT=$((19084 + SHIFT))
SCG_PORT=$((19093 + SHIFT)); SCG_GK_PORT=$((19094 + SHIFT))
SCG_GK_MIRROR_PORT=$((19096 + SHIFT)); SCG_HAND_MIRROR_PORT=$((19097 + SHIFT))
BASE_GW_PORT=$((19085 + SHIFT)); BASE_GW_ADMIN_PORT=$((19185 + SHIFT)); BASE_GW_METRICS_PORT=$((19095 + SHIFT))
BASE_BARE_PORT=$((19086 + SHIFT))

LOG_TAG=e2e
# shellcheck source=../lib.sh
source "$ROOT/benchmarks/lib.sh"

# ---------------------------------------------------------------- prerequisites

install_missing() {
  install_packages wrk:wrk nginx:nginx curl:curl taskset:util-linux python3:python3
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  "$NGINX" -V 2>&1 | grep -q -- '--without-http_mirror_module' && die "this nginx lacks the mirror module"
  (($(nproc) >= 2)) || log "warning: $(nproc) CPU: wrk and the servers will share it"
  if [[ ! -f "$GATEWAY_JAR" || ! -f "$BENCH_JAR" || ! -f "$SCG_APP/classpath.txt" || "${BUILD:-1}" != 0 ]]; then
    # each module's class path too: the Spring Cloud Gateway application runs from its own
    log "building the jars (mvn -q -DskipTests package dependency:build-classpath)"
    (cd "$ROOT" && mvn -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
  fi
}

# ---------------------------------------------------------------- processes

WORK=""
cleanup() {
  local status=$?
  set +e
  stop_processes
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    mkdir -p "$OUT/raw"
    for f in "$WORK"/*.log; do [[ "$f" == */mirror-access.log ]] || cp "$f" "$OUT/raw/"; done
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # name cpu command... : starts in the background, pinned, output to $WORK/name.log
  local name=$1 cpu=$2; shift 2
  taskset -c "$cpu" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# ---------------------------------------------------------------- configs

write_configs() {
  local body; body="$(head -c 1024 /dev/zero | tr '\0' 'x')"
  # the upstream (1 KB static answer) and the healthy mirror, which logs what it receives
  {
    nginx_conf_head upstream
    cat <<EOF
  default_type text/plain;
  server { listen 127.0.0.1:$UPSTREAM_PORT backlog=4096; location / { return 200 "$body"; } }
  server {
    listen 127.0.0.1:$MIRROR_PORT backlog=4096;
    access_log $WORK/mirror-access.log;
    location / { return 200 "mirrored"; }
  }
}
EOF
  } >"$WORK/upstream.conf"
  # nginx as a reverse proxy, mirroring as APISIX's proxy-mirror does (whole request, same path,
  # default 60 s timeouts), one worker, upstream keep-alive pools like the gateway's
  {
    nginx_conf_head peer
    cat <<EOF
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  upstream mirror_healthy { server 127.0.0.1:$MIRROR_PORT; keepalive 64; }
  upstream mirror_slow { server 127.0.0.1:$SLOW_MIRROR_PORT; keepalive 64; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location = /plain { proxy_pass http://backend; }
    location = /mirror-healthy { mirror /_mirror_healthy; proxy_pass http://backend; }
    location = /mirror-slow { mirror /_mirror_slow; proxy_pass http://backend; }
    location = /_mirror_healthy { internal; proxy_pass http://mirror_healthy\$request_uri; }
    location = /_mirror_slow { internal; proxy_pass http://mirror_slow\$request_uri; }
  }
}
EOF
  } >"$WORK/peer.conf"
  cat >"$WORK/config.yaml" <<EOF
apisix:
  node_listen: [{ip: 127.0.0.1, port: $GW_PORT}]
deployment:
  admin:
    admin_listen: {ip: 127.0.0.1, port: $GW_ADMIN_PORT}
plugin_attr:
  prometheus:
    export_addr: {ip: 127.0.0.1, port: $GW_METRICS_PORT}
ext-plugin:
  cmd: ["java", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-cp", "$BENCH_JAR", "io.gatekit.benchmarks.e2e.NoopRunnerMain"]
nginx_config:
  worker_processes: $WORKERS
gatekit:
  standalone_config: $WORK/routes.json
  transport: $TRANSPORT
EOF
  # the baseline build's gateway: the same config on its own ports, without the TLS listener (9443)
  sed -e "s/port: $GW_PORT}]/port: $BASE_GW_PORT}]\n  ssl: {enable: false}/" \
    -e "s/port: $GW_ADMIN_PORT}/port: $BASE_GW_ADMIN_PORT}/" \
    -e "s/port: $GW_METRICS_PORT}/port: $BASE_GW_METRICS_PORT}/" "$WORK/config.yaml" >"$WORK/base-config.yaml"
  local upstream="\"upstream\": {\"type\": \"roundrobin\", \"nodes\": {\"127.0.0.1:$UPSTREAM_PORT\": 1}}"
  cat >"$WORK/routes.json" <<EOF
{"routes": [
  {"id": "plain", "uri": "/plain", $upstream},
  {"id": "two-plugins", "uri": "/two-plugins", $upstream,
   "plugins": {"bench-stamp": {"value": "e2e"}, "bench-count": {"label": "two-plugins"}}},
  {"id": "inproc", "uri": "/inproc", $upstream, "plugins": {"bench-noop": {}}},
  {"id": "runner", "uri": "/runner", $upstream,
   "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "noop", "value": "{}"}]}}},
  {"id": "mirror-healthy", "uri": "/mirror-healthy", $upstream,
   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:$MIRROR_PORT"}}},
  {"id": "mirror-slow", "uri": "/mirror-slow", $upstream,
   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:$SLOW_MIRROR_PORT"}}}
]}
EOF
  # P13: the servlet application's Gatekit routes; none matches the benchmark's /plain, so every
  # request takes the filter's no-match path (one router lookup on the path)
  cat >"$WORK/servlet-routes.yaml" <<EOF
routes:
  - {id: api, uri: /api/*, plugins: {request-id: {}}}
  - {id: orders, uri: /orders/:id, upstream: {nodes: {"127.0.0.1:$UPSTREAM_PORT": 1}}}
  - {id: admin, uri: /admin/*, plugins: {ip-restriction: {whitelist: [127.0.0.1]}}}
  - {id: health, uri: /healthz, plugins: {request-id: {}}}
#END
EOF
}

start_all() {
  for port in $UPSTREAM_PORT $MIRROR_PORT $SLOW_MIRROR_PORT $GW_PORT $GW_ADMIN_PORT $GW_METRICS_PORT \
      $BARE_PORT $NGINX_PORT $SERVLET_PORT $SERVLET_GK_PORT $SCG_PORT $SCG_GK_PORT $SCG_GK_MIRROR_PORT \
      $SCG_HAND_MIRROR_PORT $BASE_GW_PORT \
      $BASE_GW_ADMIN_PORT $BASE_GW_METRICS_PORT $BASE_BARE_PORT; do
    port_free "$port" || die "port $port is in use on 127.0.0.1"
  done
  log "starting upstream + healthy mirror (nginx) and the 200 ms mirror on CPU $LOAD_CPU"
  start upstream "$LOAD_CPU" "$NGINX" -e "$WORK/upstream-error.log" -c "$WORK/upstream.conf"
  start slow-mirror "$LOAD_CPU" java -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$BENCH_JAR" \
    io.gatekit.benchmarks.e2e.TestServer --port "$SLOW_MIRROR_PORT" --delay-ms 200 --body-bytes 8
  log "starting the contenders on CPU $SUT_CPU: gateway, bare forwarder, nginx"
  start gateway "$SUT_CPU" java $JAVA_OPTS -cp "$GATEWAY_JAR:$BENCH_JAR" \
    io.gatekit.gateway.GatewayMain --config "$WORK/config.yaml"
  start bare "$SUT_CPU" java $JAVA_OPTS -cp "$BENCH_JAR" io.gatekit.benchmarks.e2e.BareForwarder \
    --port "$BARE_PORT" --upstream "127.0.0.1:$UPSTREAM_PORT" --transport "$TRANSPORT" --workers "$WORKERS"
  if [[ -n "$BASELINE" ]]; then
    # an older build may not read worker_processes or --workers: Netty's own property gives its
    # loops the same count (auto: the cores of SUT_CPU, as this build counts them)
    local loops=$WORKERS
    [[ "$loops" != auto ]] || loops="$(taskset -c "$SUT_CPU" nproc)"
    log "starting the baseline build's gateway and bare forwarder ($BASELINE) on CPU $SUT_CPU"
    start base-gateway "$SUT_CPU" java $JAVA_OPTS -Dio.netty.eventLoopThreads="$loops" -cp "$BASELINE/gatekit-gateway.jar:$BASELINE/benchmarks.jar" \
      io.gatekit.gateway.GatewayMain --config "$WORK/base-config.yaml"
    # an older forwarder may not know --transport: it then runs on what it always ran on
    local transport_arg=(--transport "$TRANSPORT")
    unzip -l "$BASELINE/benchmarks.jar" | grep -q 'io/gatekit/gateway/transport/Transport.class' || transport_arg=()
    start base-bare "$SUT_CPU" java $JAVA_OPTS -Dio.netty.eventLoopThreads="$loops" -cp "$BASELINE/benchmarks.jar" io.gatekit.benchmarks.e2e.BareForwarder \
      --port "$BASE_BARE_PORT" --upstream "127.0.0.1:$UPSTREAM_PORT" "${transport_arg[@]}"
  fi
  start nginx-peer "$SUT_CPU" "$NGINX" -e "$WORK/peer-error.log" -c "$WORK/peer.conf"
  log "starting the servlet application alone and behind the Gatekit filter on CPU $SUT_CPU"
  start servlet "$SUT_CPU" java $JAVA_OPTS -cp "$BENCH_JAR" io.gatekit.benchmarks.e2e.ServletAppMain \
    --port "$SERVLET_PORT"
  start servlet-gk "$SUT_CPU" java $JAVA_OPTS -cp "$BENCH_JAR" io.gatekit.benchmarks.e2e.ServletAppMain \
    --port "$SERVLET_GK_PORT" --routes "$WORK/servlet-routes.yaml"
  if selected scg || selected scg-gk; then
    log "starting Spring Cloud Gateway alone and with the Gatekit filter (no plugins) on CPU $SUT_CPU"
    start_scg scg "$SCG_PORT" --gatekit.enabled=false
    start_scg scg-gk "$SCG_GK_PORT" "--$SCG_ROUTE.filters[0]=Gatekit={}"
  fi
  if selected scg-gk-mirror || selected scg-hand-mirror; then
    log "starting Spring Cloud Gateway mirroring to the healthy mirror: Gatekit's proxy-mirror, and by hand"
    start_scg scg-gk-mirror "$SCG_GK_MIRROR_PORT" \
      "--$SCG_ROUTE.filters[0]=Gatekit={\"proxy-mirror\": {\"host\": \"http://127.0.0.1:$MIRROR_PORT\"}}"
    # the hand-written filter (benchmarks/e2e/scg), compiled against the example's class path
    mkdir -p "$WORK/scg-hand"
    javac -d "$WORK/scg-hand" -cp "$SCG_APP/classes:$(cat "$SCG_APP/classpath.txt")" "$E2E/scg/HandMirrorConfig.java"
    SCG_EXTRA_CP="$WORK/scg-hand" start_scg scg-hand-mirror "$SCG_HAND_MIRROR_PORT" --gatekit.enabled=false \
      --spring.main.sources=io.gatekit.benchmarks.e2e.scg.HandMirrorConfig \
      "--$SCG_ROUTE.filters[0]=HandMirror=http://127.0.0.1:$MIRROR_PORT"
  fi
  wait_http "http://127.0.0.1:$UPSTREAM_PORT/"
  wait_http "http://127.0.0.1:$SLOW_MIRROR_PORT/__count"
  wait_http "http://127.0.0.1:$GW_PORT/plain"
  wait_http "http://127.0.0.1:$GW_PORT/runner"
  wait_http "http://127.0.0.1:$BARE_PORT/plain"
  if [[ -n "$BASELINE" ]]; then
    wait_http "http://127.0.0.1:$BASE_GW_PORT/plain"
    wait_http "http://127.0.0.1:$BASE_BARE_PORT/plain"
  fi
  wait_http "http://127.0.0.1:$NGINX_PORT/plain"
  wait_http "http://127.0.0.1:$SERVLET_PORT/plain"
  wait_http "http://127.0.0.1:$SERVLET_GK_PORT/plain"
  if selected scg || selected scg-gk; then
    wait_http "http://127.0.0.1:$SCG_PORT/plain"
    wait_http "http://127.0.0.1:$SCG_GK_PORT/plain"
  fi
  if selected scg-gk-mirror || selected scg-hand-mirror; then
    wait_http "http://127.0.0.1:$SCG_GK_MIRROR_PORT/plain"
    wait_http "http://127.0.0.1:$SCG_HAND_MIRROR_PORT/plain"
  fi
}

# P12: the example gateway's class path, and one route /plain to the upstream (the command line
# replaces the example's routes); the Gatekit contender adds the filter with no plugins
SCG_ROUTE="spring.cloud.gateway.server.webflux.routes[0]"
start_scg() { # name port extra-arguments...
  local name=$1 port=$2; shift 2
  start "$name" "$SUT_CPU" java $JAVA_OPTS -cp "${SCG_EXTRA_CP:+$SCG_EXTRA_CP:}$SCG_APP/classes:$(cat "$SCG_APP/classpath.txt")" \
    com.example.gateway.GatewayApplication --server.address=127.0.0.1 "--server.port=$port" \
    --spring.main.banner-mode=off "--$SCG_ROUTE.id=plain" "--$SCG_ROUTE.uri=http://127.0.0.1:$UPSTREAM_PORT" \
    "--$SCG_ROUTE.predicates[0]=Path=/plain" "$@"
}

# ---------------------------------------------------------------- contenders

# name url: the gateway (gw-*), its baseline (bare) and its peer (nginx-*)
CONTENDERS=(
  "bare http://127.0.0.1:$BARE_PORT/plain"
  "gw-0 http://127.0.0.1:$GW_PORT/plain"
  "gw-2 http://127.0.0.1:$GW_PORT/two-plugins"
  "gw-inproc http://127.0.0.1:$GW_PORT/inproc"
  "gw-runner http://127.0.0.1:$GW_PORT/runner"
  "gw-mirror http://127.0.0.1:$GW_PORT/mirror-healthy"
  "gw-mirror-slow http://127.0.0.1:$GW_PORT/mirror-slow"
  "nginx-0 http://127.0.0.1:$NGINX_PORT/plain"
  "nginx-mirror http://127.0.0.1:$NGINX_PORT/mirror-healthy"
  "nginx-mirror-slow http://127.0.0.1:$NGINX_PORT/mirror-slow"
  "servlet http://127.0.0.1:$SERVLET_PORT/plain"
  "servlet-gk http://127.0.0.1:$SERVLET_GK_PORT/plain"
  "scg http://127.0.0.1:$SCG_PORT/plain"
  "scg-gk http://127.0.0.1:$SCG_GK_PORT/plain"
  "scg-gk-mirror http://127.0.0.1:$SCG_GK_MIRROR_PORT/plain"
  "scg-hand-mirror http://127.0.0.1:$SCG_HAND_MIRROR_PORT/plain"
)
if [[ -n "$BASELINE" ]]; then
  CONTENDERS+=(
    "base-bare http://127.0.0.1:$BASE_BARE_PORT/plain"
    "base-gw-0 http://127.0.0.1:$BASE_GW_PORT/plain"
    "base-gw-2 http://127.0.0.1:$BASE_GW_PORT/two-plugins"
    "base-gw-mirror http://127.0.0.1:$BASE_GW_PORT/mirror-healthy"
    "base-gw-mirror-slow http://127.0.0.1:$BASE_GW_PORT/mirror-slow"
  )
fi
# the latency comparisons (P5, P6, P10) are also run paced, at a load every gateway contender carries
# with room to spare (see below)
PACED=(gw-0 gw-mirror gw-mirror-slow nginx-0 nginx-mirror nginx-mirror-slow)
[[ -z "$BASELINE" ]] || PACED+=(base-gw-0 base-gw-mirror base-gw-mirror-slow)

selected() { [[ -z "${ONLY:-}" ]] || [[ " $ONLY " == *" $1 "* ]]; }

# Checks one answer of each contender: status 200, the upstream's 1 KB body, and what the route's
# plugins must leave behind, so a broken path cannot pass for a fast one.
check_contenders() {
  for entry in "${CONTENDERS[@]}"; do
    local name=${entry%% *} url=${entry#* }
    selected "$name" || continue
    local headers="$WORK/check-$name.headers" body="$WORK/check-$name.body"
    local code; code="$(curl -s -D "$headers" -o "$body" -w '%{http_code}' --max-time 5 "$url")"
    [[ "$code" == 200 ]] || die "$name: $url answered $code"
    [[ "$(wc -c <"$body")" == 1024 ]] || die "$name: body of $(wc -c <"$body") bytes (expected: the upstream's 1024)"
    if [[ "$name" == gw-2 || "$name" == base-gw-2 ]]; then
      grep -qi '^x-gatekit-bench: e2e' "$headers" || die "$name: bench-stamp's response header is missing"
    fi
    if [[ "$name" == *mirror ]]; then   # a mirror that copies nothing must not pass for a fast one
      local before; before="$(mirror_count "$name")"
      curl -s -o /dev/null --max-time 5 "$url"
      local waited=0
      until (($(mirror_count "$name") > before)); do
        ((waited++ < 50)) || die "$name: the mirror received no copy of a request"
        sleep 0.1
      done
    fi
  done
  log "every contender answers 200 with the upstream's body"
}

mirror_count() { # name -> copies the mirror behind it has received so far
  case $1 in
    *mirror-slow) curl -s --max-time 5 "http://127.0.0.1:$SLOW_MIRROR_PORT/__count" | tr -d '\n' ;;
    *mirror) wc -l <"$WORK/mirror-access.log" | tr -d ' ' ;;
    *) echo 0 ;;
  esac
}

# run_wrk name url seconds mode(saturated|paced|warmup) round
run_wrk() {
  local name=$1 url=$2 seconds=$3 mode=$4 round=$5
  local raw="$WORK/wrk-$name-$mode-$round.log" before after
  before="$(mirror_count "$name")"
  if [[ "$mode" == paced ]]; then
    GK_E2E_DIR="$E2E" taskset -c "$LOAD_CPU" wrk -t1 -c"$PACED_CONNECTIONS" -d"${seconds}s" --timeout 5s \
      --latency -s "$E2E/paced.lua" "$url" -- "$PACED_DELAY_MS" >"$raw" 2>&1 || true
  else
    GK_E2E_DIR="$E2E" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s \
      --latency -s "$E2E/report.lua" "$url" >"$raw" 2>&1 || true
  fi
  after="$(mirror_count "$name")"
  local line; line="$(grep '^GK_RESULT' "$raw" || true)"
  [[ -n "$line" ]] || die "$name: wrk printed no result; see $raw"
  if [[ "$mode" != warmup ]]; then
    echo "round=$round mode=$mode name=$name ${line#GK_RESULT } mirrored=$((after - before))" >>"$OUT/results.raw"
    log "$(printf '%-18s %-9s round %s: %s' "$name" "$mode" "$round" \
      "$(echo "$line" | sed -E 's/.*rps=([0-9.]+).*p50_us=([0-9]+).*p99_us=([0-9]+).*err_status=([0-9]+).*/\1 req\/s, p50 \2 us, p99 \3 us, non-2xx \4/')")"
  fi
}

rotate() { # round array... : the array rotated by round places, so no contender always goes first
  local r=$1; shift
  local a=("$@") n=$#
  for ((k = 0; k < n; k++)); do echo "${a[$(((k + r) % n))]}"; done
}

# ---------------------------------------------------------------- main

main() {
  install_missing
  WORK="$(mktemp -d /tmp/gatekit-e2e.XXXXXX)"
  mkdir -p "$OUT"
  rm -rf "$OUT/raw"
  : >"$OUT/results.raw"
  write_configs
  start_all
  check_contenders

  log "warm-up: ${WARMUP}s per contender"
  for entry in "${CONTENDERS[@]}"; do
    selected "${entry%% *}" && run_wrk "${entry%% *}" "${entry#* }" "$WARMUP" warmup 0
  done

  local gw0_rps=()
  for ((round = 1; round <= ROUNDS; round++)); do
    log "round $round of $ROUNDS, saturated: wrk -t1 -c$CONNECTIONS, ${DURATION}s each"
    while read -r entry; do
      selected "${entry%% *}" && run_wrk "${entry%% *}" "${entry#* }" "$DURATION" saturated "$round"
    done < <(rotate "$round" "${CONTENDERS[@]}")
  done

  # Half of the lowest median saturated throughput among the gateway's paced contenders (gw-0,
  # gw-mirror, gw-mirror-slow), or 4,000 req/s if none ran. A latency ratio means something only
  # at a load both sides carry with headroom: paced at half of gw-0's capacity, the mirror route
  # (two exchanges per request) runs near its own capacity and the p99 ratio measures queueing at
  # saturation, not what the mirror adds. Each connection sends a request, waits for the answer,
  # then PACED_DELAY_MS: with answers taking about 0.5 ms, rate = connections * 1000 / (delay + 0.5).
  PACED_RATE="$(python3 - "$OUT/results.raw" <<'EOF'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()) for l in open(sys.argv[1])]
medians = []
for name in ("gw-0", "gw-mirror", "gw-mirror-slow"):
    rps = [float(r["rps"]) for r in rows if r["mode"] == "saturated" and r["name"] == name]
    if rps:
        medians.append(statistics.median(rps))
print(int(min(medians) / 2) if medians else 4000)
EOF
)"
  PACED_CONNECTIONS=$(((PACED_RATE * (2 * PACED_DELAY_MS + 1) + 1000) / 2000))
  ((PACED_CONNECTIONS >= 1)) || PACED_CONNECTIONS=1
  for ((round = 1; round <= ROUNDS; round++)); do
    log "round $round of $ROUNDS, paced at about $PACED_RATE req/s: wrk -t1 -c$PACED_CONNECTIONS, ${PACED_DELAY_MS} ms pauses"
    while read -r name; do
      for entry in "${CONTENDERS[@]}"; do
        [[ "${entry%% *}" == "$name" ]] && selected "$name" && run_wrk "$name" "${entry#* }" "$DURATION" paced "$round"
      done
    done < <(rotate "$round" "${PACED[@]}")
  done

  curl -s --max-time 5 "http://127.0.0.1:$GW_METRICS_PORT/apisix/prometheus/metrics" >"$WORK/gateway-metrics.log" || true
  write_env
  python3 "$E2E/report.py" "$OUT" "$DURATION" "$ROUNDS" "$CONNECTIONS" "$PACED_CONNECTIONS" "$PACED_RATE" \
    "$WORK/gateway-metrics.log"
  log "done: $OUT/summary.md, $OUT/chart.svg"
}

write_env() {
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # the results directory is being written by this very run: not a change to what was measured
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet -- . ':!benchmarks/e2e/results' 2>/dev/null || echo ' (with local changes)')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
    echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "kernel: $(uname -r)"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "java options (gateway, bare forwarder): $JAVA_OPTS"
    echo "event loops (gateway, bare forwarder): $WORKERS (nginx_config.worker_processes, --workers)"
    echo "transport (gateway, bare forwarder): $TRANSPORT ($(grep -ho 'bare forwarder on .*' "$WORK/bare.log" | sed 's/.*(\(.*\))/\1/'))"
    [[ -z "$BASELINE" ]] || echo "baseline build (base-*): $BASELINE"
    echo "nginx: $("$NGINX" -v 2>&1 | cut -d/ -f2)"
    echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
    echo "servlet applications: embedded Jetty 12 with its default thread pool, same java options"
    echo "Spring Cloud Gateway: examples/spring-cloud-gateway-app (SCG 4.3, Reactor Netty), same java options"
    echo "pinning: wrk, upstream nginx and mirrors on CPU $LOAD_CPU; gateway (and its runner), bare forwarder, nginx peer, servlet applications, Spring Cloud Gateway on CPU $SUT_CPU"
    echo "load during the run (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$OUT/env.txt"
}

main "$@"
