# Shared by the scripts of benchmarks/e2e and benchmarks/soak: logging, Debian packages, the
# background processes a run starts, waiting for them, and nginx's config head. Source it after
# setting LOG_TAG.

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# install_packages command:package ...: apt-get installs the package of every command not on the PATH
install_packages() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || [[ -x "/usr/sbin/${pair%%:*}" ]] || need+=("${pair#*:}")
  done
  if ((${#need[@]})); then
    [[ $(id -u) == 0 ]] || die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
    log "installing ${need[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# Every process a run starts goes into PIDS; stop_processes ends them, SIGTERM first (the gateway
# then stops its runner itself), SIGKILL after 10 s, and kills whatever children they left.
PIDS=()
stop_processes() {
  local pid children child
  for pid in "${PIDS[@]}"; do
    # a process may be gone already (a script stops its own first): under set -e that is no failure
    children="$(pgrep -P "$pid" 2>/dev/null || true)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
  done
  wait 2>/dev/null || true
}

# wait_http url [expected status] [seconds]: until the url answers with that status (200, 120 s)
wait_http() {
  # 120 s at most: a dozen JVMs starting at once on one core can take a minute
  local url=$1 want=${2:-200} seconds=${3:-120} code=""
  for _ in $(seq 1 $((seconds * 5))); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)"
    [[ "$code" == "$want" ]] && return 0
    sleep 0.2
  done
  die "$url answered '$code' (expected: $want) within $seconds s; see $WORK/*.log"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# nginx_conf_head name: an nginx.conf up to the inside of "http {": one worker in the foreground,
# pid and error log in $WORK named after it, no access log, client keep-alive without a request limit.
# The caller writes the servers and closes the http block.
nginx_conf_head() {
  cat <<EOF
worker_processes 1;
pid $WORK/$1.pid;
daemon off;
error_log $WORK/$1-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
EOF
}
