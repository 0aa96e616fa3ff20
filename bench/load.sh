#!/usr/bin/env bash
# Load benchmark: 16 concurrent clients on loopback against the public API's
# hub list (GET /api/v1/hubs), a public hub page (GET /hubs/{id}) and, as a
# ceiling for the HTTP stack alone, GET /healthz.
#
# Target (from the issue): >= 10 000 requests/s with p99 < 10 ms and server
# resident memory < 60 MB, on the 2-core machine.
#
#   bash bench/load.sh                  # build, SQLite demo network, measure
#   bash bench/load.sh --postgres       # the same on SQLite, then on PostgreSQL
#   bash bench/load.sh --help           # all options
#
# All traffic goes to 127.0.0.1. The load generator (wrk) runs on the same
# machine as the server and shares its cores; see bench/README.md.

set -euo pipefail

DURATION=15
WARMUP=3
CONNECTIONS=16
THREADS=2
BUILD=1
POSTGRES=0
SQLITE=1
BIN=""
PG_URL_BASE="${BENCH_PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}"
ENDPOINTS="healthz,api,page"

usage() {
    cat <<'EOF'
Usage: bash bench/load.sh [options]

  --postgres         also run against PostgreSQL (a fresh database on
                     127.0.0.1:5432, created with createdb, dropped afterwards)
  --postgres-only    only PostgreSQL
  --duration SECS    measured seconds per endpoint (default 15)
  --warmup SECS      warm-up seconds per endpoint, not measured (default 3)
  --connections N    concurrent connections (default 16)
  --threads N        wrk threads (default 2)
  --endpoints LIST   comma-separated subset of healthz,api,page (default all)
  --no-build         skip `cargo build --release -p thirdplace`
  --bin PATH         serve with this binary instead of target/release/thirdplace
                     (implies --no-build; for comparing patched builds)
  -h, --help         this text

The server inherits the environment, so e.g. `RUST_LOG=warn bash bench/load.sh`
measures with request spans switched off. BENCH_PG_URL_BASE overrides the
PostgreSQL server (default postgres://postgres@127.0.0.1:5432).
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) POSTGRES=1 ;;
        --postgres-only) POSTGRES=1; SQLITE=0 ;;
        --duration) DURATION="$2"; shift ;;
        --warmup) WARMUP="$2"; shift ;;
        --connections) CONNECTIONS="$2"; shift ;;
        --threads) THREADS="$2"; shift ;;
        --endpoints) ENDPOINTS="$2"; shift ;;
        --no-build) BUILD=0 ;;
        --bin) BIN="$2"; BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- tools ---------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk (Debian package)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "wrk is missing and we are not root: install it with apt-get install wrk" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for tool in curl python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required" >&2; exit 1; }
done

if [ "$BUILD" = 1 ]; then
    echo "== cargo build --release -p thirdplace"
    cargo build --release -p thirdplace
fi
BIN="${BIN:-$ROOT/target/release/thirdplace}"
[ -x "$BIN" ] || { echo "no server binary at $BIN (build it, or pass --bin)" >&2; exit 1; }

# --- bookkeeping and clean-up ----------------------------------------------
WORK="$(mktemp -d /tmp/thirdplace-bench.XXXXXX)"
SERVER_PID=""
SAMPLER_PID=""
PG_DB=""

stop_server() {
    if [ -n "$SAMPLER_PID" ]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=""
    fi
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

drop_pg_db() {
    if [ -n "$PG_DB" ]; then
        psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 \
            || echo "warning: could not drop the benchmark database $PG_DB" >&2
        PG_DB=""
    fi
}

cleanup() {
    stop_server
    drop_pg_db
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The wrk report script: exact percentiles in microseconds on one line.
cat > "$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH %d %.3f %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, non2xx, errs, summary.bytes))
end
EOF

# Samples the server's VmRSS every 100 ms while a measured run is going on;
# the maximum is written to $1 when the sampler is stopped.
rss_sampler() {
    local pid="$1" out="$2" max=0 v
    trap 'echo "$max" > "$out"; exit 0' TERM
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
        sleep 0.1 &
        wait $!
    done
    echo "$max" > "$out"
}

# utime + stime of all the server's threads, in clock ticks.
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# run_one BACKEND KEY LABEL URL
run_one() {
    local backend="$1" key="$2" label="$3" url="$4"
    echo "-- $backend $label: warm-up ${WARMUP}s"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
    # Reset the peak RSS (VmHWM) so it covers this run only; root or the
    # server's owner may write 5 to clear_refs (Linux >= 4.0).
    echo 5 > "/proc/$SERVER_PID/clear_refs" 2>/dev/null || true
    rss_sampler "$SERVER_PID" "$WORK/rss.$backend.$key" &
    SAMPLER_PID=$!
    local load_before cpu_before cpu_after
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    cpu_before=$(proc_cpu_ticks "$SERVER_PID")
    echo "-- $backend $label: ${DURATION}s, $CONNECTIONS connections, $THREADS threads (load average $load_before)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/report.lua" "$url" \
        > "$WORK/wrk.$backend.$key" 2>&1
    cpu_after=$(proc_cpu_ticks "$SERVER_PID")
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    local hwm rss_max
    hwm=$(proc_kb "$SERVER_PID" VmHWM)
    rss_max=$(cat "$WORK/rss.$backend.$key" 2>/dev/null || echo 0)
    sed -n '/Latency Distribution/,/requests in/p' "$WORK/wrk.$backend.$key" | sed 's/^/   /'
    local line
    line=$(grep '^BENCH ' "$WORK/wrk.$backend.$key" || true)
    if [ -z "$line" ]; then
        echo "wrk produced no report:" >&2
        cat "$WORK/wrk.$backend.$key" >&2
        exit 1
    fi
    # shellcheck disable=SC2086
    set -- $line
    # BENCH requests seconds p50 p90 p99 max non2xx errors bytes
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$backend" "$label" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$rss_max" "$hwm" "$load_before" \
        "$(( (cpu_after - cpu_before) * 1000000 / CLK_TCK ))" >> "$RESULTS"
}

# bench_backend NAME DATABASE_URL
bench_backend() {
    local backend="$1" dburl="$2" port
    port=$(free_port)
    echo "== $backend: thirdplace demo on 127.0.0.1:$port"
    "$BIN" --database-url "$dburl" demo --addr "127.0.0.1:$port" \
        > "$WORK/server.$backend.out" 2> "$WORK/server.$backend.err" &
    SERVER_PID=$!
    local base="http://127.0.0.1:$port" ok=0
    for _ in $(seq 600); do
        if curl -sf "$base/readyz" >/dev/null 2>&1; then ok=1; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    if [ "$ok" != 1 ]; then
        echo "the server did not become ready; its log:" >&2
        tail -n 30 "$WORK/server.$backend.err" >&2
        exit 1
    fi
    echo "   ready; resident after seeding: $(proc_kb "$SERVER_PID" VmRSS) kB (peak so far $(proc_kb "$SERVER_PID" VmHWM) kB)"

    local hub_id
    hub_id=$(curl -sf "$base/api/v1/hubs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
    [ -n "$hub_id" ] || { echo "no hub in GET /api/v1/hubs" >&2; exit 1; }
    local page_status
    page_status=$(curl -s -o /dev/null -w '%{http_code}' "$base/hubs/$hub_id")
    [ "$page_status" = 200 ] || { echo "GET /hubs/$hub_id answered $page_status" >&2; exit 1; }
    echo "   hub page: /hubs/$hub_id ($(curl -s "$base/hubs/$hub_id" | wc -c) bytes); hub list: $(curl -s "$base/api/v1/hubs" | wc -c) bytes"

    local ep
    for ep in ${ENDPOINTS//,/ }; do
        case "$ep" in
            healthz) run_one "$backend" healthz "GET /healthz" "$base/healthz" ;;
            api) run_one "$backend" api "GET /api/v1/hubs" "$base/api/v1/hubs" ;;
            page) run_one "$backend" page "GET /hubs/{id}" "$base/hubs/$hub_id" ;;
            *) echo "unknown endpoint $ep" >&2; exit 2 ;;
        esac
    done
    echo "   resident at the end: $(proc_kb "$SERVER_PID" VmRSS) kB"
    stop_server
}

# --- machine ------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "== machine: $(nproc) CPUs ($CPU_MODEL), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $THREADS threads, $CONNECTIONS connections, ${DURATION}s per endpoint after ${WARMUP}s warm-up; RUST_LOG=${RUST_LOG:-(default)}"
echo "   server: $BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"

if [ "$SQLITE" = 1 ]; then
    bench_backend sqlite "sqlite://$WORK/demo.db"
fi
if [ "$POSTGRES" = 1 ]; then
    command -v psql >/dev/null 2>&1 || { echo "--postgres needs psql (postgresql-client)" >&2; exit 1; }
    PG_DB="thirdplace_bench_$$_$(date +%s)"
    psql -q -v ON_ERROR_STOP=1 "$PG_URL_BASE/postgres" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    bench_backend postgres "$PG_URL_BASE/$PG_DB"
    drop_pg_db
fi

# --- summary --------------------------------------------------------------------
echo
echo "== summary (target: >= 10000 req/s, p99 < 10 ms, RSS < 60 MB)"
python3 - "$RESULTS" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
hdr = ["backend", "endpoint", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "errors", "peak RSS MB", "VmHWM MB", "server CPU us/req", "load", "target"]
out = []
for b, ep, n, secs, p50, p90, p99, mx, non2xx, errs, rss, hwm, load, cpu_us in rows:
    rps = int(n) / float(secs)
    ms = lambda us: f"{int(us) / 1000:.2f}"
    rss_mb = int(rss) / 1024
    hwm_mb = int(hwm) / 1024
    ok = rps >= 10000 and int(p99) < 10000 and max(rss_mb, hwm_mb) < 60 and int(non2xx) == 0 and int(errs) == 0
    target = "-" if ep == "GET /healthz" else ("met" if ok else "MISSED")
    out.append([b, ep, f"{rps:.0f}", ms(p50), ms(p90), ms(p99), ms(mx), non2xx, errs, f"{rss_mb:.1f}", f"{hwm_mb:.1f}", f"{int(cpu_us) / max(int(n), 1):.0f}", load, target])
w = [max(len(r[i]) for r in out + [hdr]) for i in range(len(hdr))]
fmt = lambda r: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |"
print(fmt(hdr))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in out:
    print(fmt(r))
EOF
echo
echo "(peak RSS: the largest VmRSS sampled every 100 ms during the measured run;"
echo " VmHWM: the kernel's peak, reset before each measured run;"
echo " server CPU us/req: user+system CPU time of all server threads during the"
echo " measured run divided by the requests answered -- less sensitive to other"
echo " load than req/s; load: 1-minute load average when the run started -- other"
echo " work on the machine lowers req/s)"
