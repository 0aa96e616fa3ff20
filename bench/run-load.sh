#!/usr/bin/env bash
# Runs one of the HTTP load tools of `thirdplace-bench` (booking-load,
# calendar-load) on a fresh SQLite database, then on a throw-away PostgreSQL
# database when THIRDPLACE_TEST_POSTGRES_URL is set or a server answers at
# postgres://postgres@127.0.0.1:5432/test (created there, dropped after).
#   bash bench/run-load.sh TOOL [--sqlite-only|--postgres-only] [--no-build] [TOOL's arguments]
# bench/bookings.sh and bench/calendar.sh call it.
set -euo pipefail
cd "$(dirname "$0")/.."

tool="$1"
shift

backends="sqlite postgres"
build=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --sqlite-only) backends="sqlite"; shift ;;
        --postgres-only) backends="postgres"; shift ;;
        --no-build) build=0; shift ;;
        *) break ;;
    esac
done

if [[ $build == 1 ]]; then
    CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo build --release -p thirdplace-bench --bin "$tool"
fi
bin="target/release/$tool"
status=0
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $backends " == *" sqlite "* ]]; then
    echo "== SQLite"
    "$bin" "$@" || status=$?
fi

if [[ " $backends " == *" postgres "* ]]; then
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
fi
# 0: all targets met; 1: a target missed or errors; 2: could not run.
exit "$status"
