#!/usr/bin/env bash
# TLS and HTTP/2 at the edge: the Gatekit gateway (BoringSSL, and the JDK's provider) against nginx
# as a TLS-terminating reverse proxy, on this one machine, same certificate (ECDSA P-256), same
# protocol and cipher (TLS 1.3, TLS_AES_256_GCM_SHA384: what BoringSSL picks for wrk's and h2load's
# OpenSSL; nginx is set to it, the JDK's provider picks TLS_AES_128_GCM_SHA256), same upstream (nginx, static 1 KB).
#
#   bash benchmarks/e2e/tls.sh            # from the repository root; about 4 minutes
#
# Three measures, each contender once per round, rounds alternating the order, after a JVM warm-up
# (WARMUP_JVM, 20 s per measure and gateway); ratios are medians of the per-round ratios:
#   keepalive   wrk over TLS with keep-alive (requests/s)
#   handshake   wrk with "Connection: close": a new TCP connection and full handshake per request
#   h2          h2load over TLS (ALPN h2), 8 connections x 32 streams (requests/s)
# The load generator runs on LOAD_CPU, the servers on SUT_CPU. Results: benchmarks/e2e/results/tls/
# (results.csv, summary.md; logs under raw/). Settings: DURATION (8), WARMUP (4), ROUNDS (3),
# CONNECTIONS (32), LOAD_CPU (0), SUT_CPU (1), JAVA_OPTS, BUILD=0 to use the jar already built,
# HOLD (s) to keep the servers up that long before measuring, for a look by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-$ROOT/benchmarks/e2e/results/tls}"
DURATION="${DURATION:-8}"
WARMUP="${WARMUP:-4}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
LOAD_CPU="${LOAD_CPU:-0}"
SUT_CPU="${SUT_CPU:-1}"
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
GATEWAY_JAR="$ROOT/gateway/target/gatekit-gateway.jar"

UPSTREAM_PORT=28080; NGINX_TLS_PORT=28443
GW_PORT=29080; GW_ADMIN_PORT=29180; GW_METRICS_PORT=29091; GW_TLS_PORT=29443
JDK_PORT=29081; JDK_ADMIN_PORT=29181; JDK_METRICS_PORT=29092; JDK_TLS_PORT=29444

LOG_TAG=tls
# shellcheck source=../lib.sh
source "$ROOT/benchmarks/lib.sh"

install_packages wrk:wrk nginx:nginx curl:curl taskset:util-linux h2load:nghttp2-client openssl:openssl
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [[ ! -f "$GATEWAY_JAR" || "${BUILD:-1}" != 0 ]]; then
  log "building the gateway jar (mvn -q -DskipTests -pl gateway -am package)"
  (cd "$ROOT" && mvn -q -DskipTests -pl gateway -am package)
fi

WORK="$(mktemp -d)"
cleanup() {
  local status=$?
  set +e
  stop_processes
  mkdir -p "$OUT/raw"
  cp "$WORK"/*.log "$OUT/raw/" 2>/dev/null
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # name cpu command...
  local name=$1 cpu=$2; shift 2
  taskset -c "$cpu" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# ---------------------------------------------------------------- certificate and configs

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/bench.key" \
  -out "$WORK/bench.crt" -days 2 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test,IP:127.0.0.1 2>/dev/null
body="$(head -c 1024 /dev/zero | tr '\0' 'x')"
{
  nginx_conf_head nginx
  cat <<EOF
  server { listen 127.0.0.1:$UPSTREAM_PORT backlog=4096; location / { return 200 "$body"; } }
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl http2 backlog=4096;
    ssl_certificate $WORK/bench.crt;
    ssl_certificate_key $WORK/bench.key;
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384;
    http2_max_concurrent_streams 128;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
} >"$WORK/nginx.conf"
# the SSL and the route in the standalone file, as APISIX's apisix.yaml holds them
python3 - "$WORK" "$UPSTREAM_PORT" <<'EOF'
import json, sys
work, port = sys.argv[1], sys.argv[2]
ssl = {"id": "1", "cert": open(work + "/bench.crt").read(), "key": open(work + "/bench.key").read(),
       "snis": ["bench.test", "127.0.0.1"], "ssl_protocols": ["TLSv1.3"]}
route = {"id": "plain", "uri": "/plain", "upstream": {"type": "roundrobin", "nodes": {"127.0.0.1:" + port: 1}}}
json.dump({"routes": [route], "ssls": [ssl]}, open(work + "/routes.json", "w"))
EOF
gateway_config() { # file node admin metrics tls provider
  cat >"$1" <<EOF
apisix:
  node_listen: [{ip: 127.0.0.1, port: $2}]
  enable_control: false
  ssl:
    enable: true
    listen: [{ip: 127.0.0.1, port: $5}]
    fallback_sni: bench.test
deployment:
  admin:
    admin_listen: {ip: 127.0.0.1, port: $3}
plugin_attr:
  prometheus:
    export_addr: {ip: 127.0.0.1, port: $4}
gatekit:
  ssl_provider: $6
  standalone_config: $WORK/routes.json
EOF
}
gateway_config "$WORK/gw.yaml" $GW_PORT $GW_ADMIN_PORT $GW_METRICS_PORT $GW_TLS_PORT openssl
gateway_config "$WORK/jdk.yaml" $JDK_PORT $JDK_ADMIN_PORT $JDK_METRICS_PORT $JDK_TLS_PORT jdk

for port in $UPSTREAM_PORT $NGINX_TLS_PORT $GW_PORT $GW_ADMIN_PORT $GW_METRICS_PORT $GW_TLS_PORT $JDK_PORT \
    $JDK_ADMIN_PORT $JDK_METRICS_PORT $JDK_TLS_PORT; do
  port_free "$port" || die "port $port is in use on 127.0.0.1"
done
start nginx "$SUT_CPU" "$NGINX" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
start gateway "$SUT_CPU" java $JAVA_OPTS -cp "$GATEWAY_JAR" io.gatekit.gateway.GatewayMain --config "$WORK/gw.yaml"
start gateway-jdk "$SUT_CPU" java $JAVA_OPTS -cp "$GATEWAY_JAR" io.gatekit.gateway.GatewayMain \
  --config "$WORK/jdk.yaml"
declare -A PORT=([nginx]=$NGINX_TLS_PORT [gw]=$GW_TLS_PORT [gw-jdk]=$JDK_TLS_PORT)
for name in nginx gw gw-jdk; do
  for _ in $(seq 1 150); do
    [[ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:${PORT[$name]}/plain" || true)" == 200 ]] \
      && continue 2
    sleep 0.2
  done
  die "$name does not answer on https://127.0.0.1:${PORT[$name]}/plain; see $WORK/*.log"
done
for name in nginx gw gw-jdk; do
  curl -sk -o /dev/null -w "$name: %{http_version} %{ssl_verify_result}\n" --http2 "https://127.0.0.1:${PORT[$name]}/plain"
  echo | openssl s_client -connect "127.0.0.1:${PORT[$name]}" -servername bench.test 2>/dev/null \
    | grep -E '^(New|Protocol|    Cipher)' | tr '\n' ' ' >"$WORK/$name-cipher.txt" || true
  log "$name: $(cat "$WORK/$name-cipher.txt")"
done

# ---------------------------------------------------------------- measures

measure() { # kind name seconds -> prints requests/s; the tool's output goes to $WORK/load-<kind>-<name>.log
  local kind=$1 name=$2 seconds=$3 url="https://127.0.0.1:${PORT[$2]}/plain" raw="$WORK/load-$1-$2.log"
  case $kind in
    keepalive) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" "$url" >"$raw" 2>&1 || true
        awk '/Requests\/sec/ {print $2}' "$raw" ;;
    handshake) taskset -c "$LOAD_CPU" wrk -t1 -c16 -d"${seconds}s" -H 'Connection: close' "$url" >"$raw" 2>&1 || true
        awk '/Requests\/sec/ {print $2}' "$raw" ;;
    h2) taskset -c "$LOAD_CPU" h2load -c8 -m32 -D"$seconds" --warm-up-time=1 "$url" >"$raw" 2>&1 || true
        awk '/^finished in/ {gsub(",", "", $4); print $4}' "$raw" ;;
  esac
}

[[ -n "${HOLD:-}" ]] && { log "holding ${HOLD} s for a look by hand"; sleep "$HOLD"; }
log "warming the JVMs up: every measure, ${WARMUP_JVM:-20} s each, on both gateways"
for kind in keepalive handshake h2; do
  for name in gw gw-jdk; do
    measure "$kind" "$name" "${WARMUP_JVM:-20}" >/dev/null
  done
done
mkdir -p "$OUT"
echo "round,measure,contender,requests_per_s" >"$OUT/results.csv"
order=(nginx gw gw-jdk)
for round in $(seq 1 "$ROUNDS"); do
  for kind in keepalive handshake h2; do
    for name in "${order[@]}"; do
      measure "$kind" "$name" "$WARMUP" >/dev/null
      rps="$(measure "$kind" "$name" "$DURATION")"
      log "round $round $kind $name: $rps req/s"
      echo "$round,$kind,$name,$rps" >>"$OUT/results.csv"
    done
  done
  order=("${order[2]}" "${order[1]}" "${order[0]}")
done

python3 - "$OUT" <<'EOF' | tee "$OUT/summary.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/results.csv")))
value = {(r["round"], r["measure"], r["contender"]): float(r["requests_per_s"]) for r in rows}
rounds = sorted({r["round"] for r in rows})
print("Medians over the rounds; a ratio is the median of the per-round ratios to nginx.\n")
print("| measure | nginx req/s | Gatekit (BoringSSL) | ratio | Gatekit (JDK TLS) | ratio |")
print("|---|---|---|---|---|---|")
for kind, label in (("keepalive", "TLS keep-alive (wrk, 32 conn)"), ("handshake", "new handshake per request (wrk, 16 conn)"),
                    ("h2", "HTTP/2 (h2load, 8 conn x 32 streams)")):
    med = {n: statistics.median(value[r, kind, n] for r in rounds) for n in ("nginx", "gw", "gw-jdk")}
    ratio = {n: statistics.median(value[r, kind, n] / value[r, kind, "nginx"] for r in rounds) for n in ("gw", "gw-jdk")}
    print(f"| {label} | {med['nginx']:.0f} | {med['gw']:.0f} | {ratio['gw']:.2f}x | {med['gw-jdk']:.0f} | {ratio['gw-jdk']:.2f}x |")
EOF
