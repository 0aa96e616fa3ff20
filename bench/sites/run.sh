#!/usr/bin/env bash
# Site-selection benchmark (issue 6): exact maximal covering location with
# thirdplace-sites on the whole of Sweden and on Europe, and (with --spopt)
# side by side with PySAL spopt's MCLP on PuLP + CBC. See bench/sites/README.md.
#
#   bash bench/sites/run.sh             # Sweden k=10/25/50, Europe k=500, cost growth
#   bash bench/sites/run.sh --quick     # Sweden only
#   bash bench/sites/run.sh --spopt     # also the spopt comparison (creates a venv)
#   bash bench/sites/run.sh --no-build --time-limit 30 --gap 0   # Europe: try to prove optimality
# Europe runs stop at a proven 0.1 % gap (--gap 0.001) or when 9.7 s have passed
# end to end (the solver gets what parsing and coverage leave of 9.7 s;
# --time-limit S gives the solver S seconds instead).
set -euo pipefail
cd "$(dirname "$0")/../.."

quick=0 spopt=0 build=1 limit="" gap=0.001
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --spopt) spopt=1 ;;
    --no-build) build=0 ;;
    --time-limit) limit="$2"; shift ;;
    --gap) gap="$2"; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  cargo build --release -q -p thirdplace-sites --example mclp_bench
fi
target=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/examples/mclp_bench"
demand=data/europe/eu_demand.csv
cands=data/europe/eu_candidates.csv
if [ -n "$limit" ]; then
  budget=(--time-limit-s "$limit"); stop="the solver's ${limit} s"
else
  budget=(--total-limit-s 9.7); stop="9.7 s end to end"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== Sweden (shipped table, every locality as demand, every non-central town as candidate), radius 15 km, median of 11"
"$bin" --sweden --k 10,25,50 --repeat 11
[ "$quick" = 1 ] && exit 0

echo
echo "== Europe (data/europe, GeoNames >= 1000 inhabitants), radius 15 km, k = 500, stop at gap ${gap} or ${stop}, median of 3"
"$bin" --demand "$demand" --candidates "$cands" --k 500 --repeat 3 "${budget[@]}" --gap "$gap"
echo
echo "== Europe, cost growth with k (stop at gap ${gap} or ${stop})"
"$bin" --demand "$demand" --candidates "$cands" --k 10,50,100,250,1000 --repeat 1 "${budget[@]}" --gap "$gap"
echo
echo "== Europe, cost growth with the number of points (demand and candidates with population >= T), k = 500, stop at gap ${gap} or ${stop}"
for t in 100000 50000 20000 10000 5000 2000; do
  printf 'T=%-6s ' "$t"
  "$bin" --demand "$demand" --candidates "$cands" --min-weight "$t" --k 500 --repeat 1 "${budget[@]}" --gap "$gap" 2>&1 ||
    echo "(k = 500 is more than the candidates at T=$t)"
done

if [ "$spopt" = 1 ]; then
  venv=${SPOPT_VENV:-/tmp/thirdplace-spopt-venv}
  if [ ! -x "$venv/bin/python" ]; then
    py=""
    # (pyenv's interpreters too: the machine's own python3 may be older)
    for c in python3.13 python3.12 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
      if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
        py=$c; break
      fi
    done
    [ -n "$py" ] || { echo "spopt 0.8.0 needs Python >= 3.12" >&2; exit 2; }
    "$py" -m venv "$venv"
    "$venv/bin/pip" install -q spopt==0.8.0 pulp==3.3.2
  fi
  echo
  "$venv/bin/python" bench/sites/spopt_compare.py --ours "$bin"
fi
