#!/usr/bin/env bash
# The API under schemathesis: every operation of the OpenAPI document,
# generated requests (examples, coverage of edge values, fuzzing) against the
# demo network served by the real binary on a throw-away SQLite database, as
# each role in turn. It fails on any 5xx and on any response the document
# does not describe (status code, content type, headers, body schema).
#
#   bash apicheck/run.sh                      # all roles, 20 cases per operation
#   THIRDPLACE_APICHECK_EXAMPLES=200 bash apicheck/run.sh   # a longer run
#   THIRDPLACE_APICHECK_SEED=7 bash apicheck/run.sh         # another seed
#
# Environment:
#   THIRDPLACE_CI_VENV     where schemathesis (`st`) is installed (.ci/run
#                          installs it; otherwise `st` on the PATH)
#   CI=true                a missing schemathesis fails instead of skipping
#   THIRDPLACE_SKIP_BUILD=1, CARGO_TARGET_DIR   as in browser/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

venv="${THIRDPLACE_CI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/thirdplace-ci-venv}"
st="$venv/bin/st"
[ -x "$st" ] || st=$(command -v st || true)
if [ -z "$st" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "apicheck: schemathesis is missing (pip install schemathesis)" >&2
    exit 1
  fi
  echo "apicheck: skipped, schemathesis is not installed (pip install schemathesis)"
  exit 0
fi

bin="${CARGO_TARGET_DIR:-$root/target}/debug/thirdplace"
if [ "${THIRDPLACE_SKIP_BUILD:-}" != "1" ] || [ ! -x "$bin" ]; then
  cargo build --quiet -p thirdplace
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/thirdplace-apicheck.XXXXXX")
server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ]; then
    echo "apicheck: kept $tmp (server.log, one st-<role>.out per role)" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db="sqlite://$tmp/demo.db"
"$bin" --database-url "$db" migrate >/dev/null
# The demo's people, one per role; their tokens come from the command line.
declare -A emails=(
  [network-admin]=admin@demo.example
  [host]=host@demo.example
  [organisation-admin]=orgadmin@demo.example
  [member]=member@demo.example
  [member-of-another-organisation]=gustav.nystrom@skatteverket.example
)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" --database-url "$db" demo --addr "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  kill -0 "$server_pid" 2>/dev/null || { echo "apicheck: the server exited" >&2; tail -n 20 "$tmp/server.log" >&2; exit 1; }
  python3 -c "import urllib.request,sys;urllib.request.urlopen(sys.argv[1])" "$base/readyz" 2>/dev/null && break
  sleep 0.2
done

examples="${THIRDPLACE_APICHECK_EXAMPLES:-20}"
seed="${THIRDPLACE_APICHECK_SEED:-1}"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
failed=0
printf '%-32s %10s %10s %s\n' role operations cases result > "$tmp/table"
for role in anonymous member member-of-another-organisation organisation-admin host network-admin; do
  auth=()
  exclude=()
  if [ "$role" != anonymous ]; then
    token=$("$bin" --database-url "$db" token create --email "${emails[$role]}" --name apicheck)
    auth=(-H "Authorization: Bearer $token")
    # Erasing the token's own person would leave the rest of the run
    # anonymous; anonymous runs and the test suite cover erasure.
    exclude=(--exclude-path /api/v1/me/erase)
  fi
  out="$tmp/st-$role.out"
  run_st() {
    "$st" run "$base/api/v1/openapi.json" --url "$base" "${auth[@]}" "${exclude[@]}" \
      --checks "$checks" --max-examples "$examples" --seed "$seed" --workers "$1" \
      --phases examples,coverage,fuzzing --suppress-health-check all \
      --warnings off --no-color >"$out" 2>&1
  }
  if run_st 2; then
    result=ok
  elif ! grep -q '^=* FAILURES =*$' "$out" \
      && grep -q 'AST constructor recursion depth mismatch' "$out"; then
    # Not a finding: CPython 3.11's ast module can trip over its own
    # recursion counter when two of schemathesis's worker threads parse
    # source at once (inside Hypothesis, describing a lambda). With no
    # failure found, the role is run again in one thread.
    echo "apicheck: $role hit the CPython ast race in schemathesis; running it again in one thread" >&2
    if run_st 1; then result=ok; else result=FAILED; failed=1; fi
  else
    result=FAILED
    failed=1
  fi
  ops=$(grep -oE 'Tested: [0-9]+' "$out" | grep -oE '[0-9]+' | head -n 1)
  cases=$(grep -oE '[0-9]+ generated' "$out" | grep -oE '[0-9]+' | head -n 1)
  printf '%-32s %10s %10s %s\n' "$role" "${ops:-?}" "${cases:-?}" "$result" >> "$tmp/table"
  if [ "$result" = FAILED ]; then
    echo "--- schemathesis as $role found:" >&2
    sed -n '/^=* \(FAILURES\|ERRORS\) =*$/,/^=* SUMMARY =*$/p' "$out" | cut -c1-400 | head -n 150 >&2
  fi
done
cat "$tmp/table"
echo "apicheck: done in $((SECONDS - started)) s (seed $seed, $examples cases per operation at most)"
exit "$failed"
