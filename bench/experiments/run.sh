#!/usr/bin/env bash
# Re-measures the recommendations in bench/README.md: builds a scratch copy
# of HEAD with bench/experiments/knobs.patch applied (environment-variable
# switches for caches, pool settings and middleware -- experiment code, never
# for main), then runs bench/load.sh round-robin over the configurations and
# prints medians.
#
#   bash bench/experiments/run.sh                 # 3 rounds, 6 s per endpoint
#   ROUNDS=5 DUR=10 bash bench/experiments/run.sh
#
# The copy lives in $EXP_DIR (default /tmp/thirdplace-bench-experiments) with
# its own target directory; it starts from a copy of target/release when there
# is one, so only the workspace crates are rebuilt. Nothing in the work tree
# is changed.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EXP_DIR="${EXP_DIR:-/tmp/thirdplace-bench-experiments}"
ROUNDS="${ROUNDS:-3}"
DUR="${DUR:-6}"
SRC="$EXP_DIR/src"
BIN="$EXP_DIR/bin"

echo "== scratch copy of $(git -C "$ROOT" rev-parse --short HEAD) in $SRC"
rm -rf "$SRC"
mkdir -p "$SRC" "$BIN"
git -C "$ROOT" archive HEAD | tar -x -C "$SRC"
patch -s -p1 -d "$SRC" < "$ROOT/bench/experiments/knobs.patch"
if [ ! -d "$EXP_DIR/target/release" ] && [ -d "$ROOT/target/release" ]; then
    mkdir -p "$EXP_DIR/target"
    cp -a "$ROOT/target/release" "$EXP_DIR/target/"
fi
export CARGO_TARGET_DIR="$EXP_DIR/target"
(cd "$SRC" && cargo build --release -p thirdplace)
cp "$CARGO_TARGET_DIR/release/thirdplace" "$BIN/knobs"
(cd "$SRC" && cargo build --release -p thirdplace --features mimalloc)
cp "$CARGO_TARGET_DIR/release/thirdplace" "$BIN/knobs-mimalloc"
unset CARGO_TARGET_DIR
(cd "$ROOT" && cargo build --release -p thirdplace)
cp "$ROOT/target/release/thirdplace" "$BIN/head"

RESULTS="$EXP_DIR/results.txt"
: > "$RESULTS"
run() { # round name binary endpoints [VAR=value ...]
    local r="$1" name="$2" bin="$3" eps="$4"
    shift 4
    echo "-- round $r: $name"
    env "$@" bash "$ROOT/bench/load.sh" --bin "$BIN/$bin" --duration "$DUR" --warmup 2 --endpoints "$eps" \
        > "$EXP_DIR/out.$name.$r.txt" 2>&1 || { tail -5 "$EXP_DIR/out.$name.$r.txt"; return 1; }
    grep -E '^\| (sqlite|postgres) ' "$EXP_DIR/out.$name.$r.txt" | sed "s/^/$r $name /" >> "$RESULTS"
}

for r in $(seq "$ROUNDS"); do
    run "$r" head head healthz,api,page
    run "$r" rust-log-warn head healthz,api,page RUST_LOG=warn
    run "$r" log-each-request head api,page RUST_LOG=info,sqlx=warn,tower_http=debug
    run "$r" no-test-before-acquire knobs api,page BENCH_TEST_BEFORE_ACQUIRE=0
    run "$r" pool-2 knobs api,page BENCH_POOL_MAX=2
    run "$r" pool-4 knobs api,page BENCH_POOL_MAX=4
    run "$r" pool-16 knobs api,page BENCH_POOL_MAX=16
    run "$r" no-trace-span knobs healthz BENCH_NO_TRACE=1
    run "$r" no-request-id knobs healthz BENCH_NO_REQID=1
    run "$r" no-trace-no-reqid knobs healthz,api,page BENCH_NO_TRACE=1 BENCH_NO_REQID=1
    run "$r" mimalloc knobs-mimalloc healthz,api,page
    run "$r" store-cache knobs api,page BENCH_CACHE_STORE=1
    run "$r" store-cache+mimalloc knobs-mimalloc api,page BENCH_CACHE_STORE=1
    run "$r" json-cache knobs api BENCH_CACHE_API_JSON=1
    run "$r" page-cache knobs page BENCH_CACHE_PAGE=1
    run "$r" all-caches knobs healthz,api,page BENCH_CACHE_STORE=1 BENCH_CACHE_API_JSON=1 BENCH_CACHE_PAGE=1
    run "$r" all-caches+lean knobs healthz,api,page BENCH_CACHE_STORE=1 BENCH_CACHE_API_JSON=1 BENCH_CACHE_PAGE=1 BENCH_NO_TRACE=1 BENCH_NO_REQID=1
done

echo
echo "== medians over $ROUNDS rounds ($DUR s each; SQLite)"
python3 - "$RESULTS" <<'EOF'
import collections, statistics, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.split("|")]
    _, name = cells[0].split()[:2]
    rows.setdefault((name, cells[2]), []).append(
        (float(cells[3]), float(cells[6]), float(cells[12]), float(cells[10]), float(cells[13])))
med = lambda v, i: statistics.median(x[i] for x in v)
print(f"| {'configuration':24} | {'endpoint':16} | {'req/s':>6} | {'p99 ms':>6} | {'CPU us/req':>10} | {'RSS MB':>6} | {'load':>4} |")
print(f"|{'-'*26}|{'-'*18}|{'-'*8}|{'-'*8}|{'-'*12}|{'-'*8}|{'-'*6}|")
for (name, ep), v in rows.items():
    print(f"| {name:24} | {ep:16} | {med(v,0):6.0f} | {med(v,1):6.2f} | {med(v,2):10.0f} | {max(x[3] for x in v):6.1f} | {med(v,4):4.1f} |")
EOF
