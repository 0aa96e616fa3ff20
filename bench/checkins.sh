#!/usr/bin/env bash
# Check-in throughput and access-summary latency (see bench/README.md,
# "Check-in throughput and access summary"). Builds checkin-load in release,
# runs it on SQLite, then on PostgreSQL when THIRDPLACE_TEST_POSTGRES_URL is
# set or a server answers at postgres://postgres@127.0.0.1:5432/test (a
# throw-away database is created there and dropped afterwards).
# Extra arguments go to checkin-load, e.g. `bash bench/checkins.sh --seconds 20`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p thirdplace-bench
bin=target/release/checkin-load
status=0

echo "== SQLite"
"$bin" "$@" || status=$?

pg_url="${THIRDPLACE_TEST_POSTGRES_URL:-}"
if [[ -z "$pg_url" ]] && command -v psql >/dev/null 2>&1 \
    && psql "postgres://postgres@127.0.0.1:5432/test" -qAtc 'select 1' >/dev/null 2>&1; then
    pg_url="postgres://postgres@127.0.0.1:5432/test"
fi
if [[ -n "$pg_url" ]]; then
    echo
    echo "== PostgreSQL"
    "$bin" --database-url "$pg_url" "$@" || status=$?
else
    echo
    echo "== PostgreSQL skipped: set THIRDPLACE_TEST_POSTGRES_URL or start a server on 127.0.0.1:5432"
fi
# 0: all targets met; 1: a target missed or errors; 2: could not run.
exit "$status"
