#!/usr/bin/env bash
# Runs the official e-invoice validators on what the test suite produced:
# the Peppol BIS Billing 3.0 validator (UBL XSD, EN 16931 and Peppol
# schematrons with the Swedish rules) on every target/einvoice/*.xml, and
# the SIE 4 checker on every target/einvoice/*.se. A fatal finding (Peppol)
# or an ERROR (SIE) fails. Under CI=true, finding no UBL documents fails too
# (the tests that write them must have run), and so does finding no SIE
# file once the SIE writer (crates/invoicing/src/sie.rs) exists.
#
# The validation kit lives at $THIRDPLACE_VALIDATORS (default
# <repo>/../shared/validators); its Python venv is cached like .ci/run's
# (THIRDPLACE_EINVOICE_VENV, default ~/.cache/thirdplace-einvoice-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

validators="${THIRDPLACE_VALIDATORS:-$(pwd)/../shared/validators}"
if [ ! -d "$validators" ]; then
  echo "einvoice: no validation kit at $validators (set THIRDPLACE_VALIDATORS)"
  exit 1
fi
venv="${THIRDPLACE_EINVOICE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/thirdplace-einvoice-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import saxonche, lxml" 2>/dev/null; then
  echo "einvoice: setting up the validators' venv in $venv"
  if ! sh "$validators/setup.sh" "$venv" >/dev/null; then
    # Debian's python3 makes a venv only with python3-venv installed.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$venv"
    sh "$validators/setup.sh" "$venv" >/dev/null
  fi
fi

shopt -s nullglob
xml=(target/einvoice/*.xml)
sie=(target/einvoice/*.se)
status=0

if [ "${#xml[@]}" -gt 0 ]; then
  echo "einvoice: Peppol BIS 3.0 validation of ${#xml[@]} document(s)"
  "$venv/bin/python" "$validators/bin/validate-peppol" "${xml[@]}" || status=1
else
  echo "einvoice: no UBL documents in target/einvoice"
  [ "${CI:-}" = "true" ] && status=1
fi

if [ "${#sie[@]}" -gt 0 ]; then
  echo "einvoice: SIE 4 check of ${#sie[@]} file(s)"
  "$venv/bin/python" "$validators/bin/check-sie4" "${sie[@]}" || status=1
else
  echo "einvoice: no SIE files in target/einvoice"
  [ "${CI:-}" = "true" ] && [ -f crates/invoicing/src/sie.rs ] && status=1
fi

if [ "$status" -ne 0 ]; then
  echo "einvoice: FAILED (see the findings above)"
else
  echo "einvoice: ok"
fi
exit "$status"
