#!/usr/bin/env bash
# The browser suite: the demo network served by the real binary on a free
# port over a throw-away SQLite database, driven in headless Debian Chromium
# (playwright-core) with axe-core checks. Run from anywhere:
#
#   bash browser/run.sh                 # all tests
#   bash browser/run.sh --test-name-pattern=axe   # extra args go to node --test
#
# Environment:
#   CI=true                    a missing Chromium fails instead of skipping
#   THIRDPLACE_CHROMIUM        the browser (default /usr/bin/chromium)
#   THIRDPLACE_SKIP_BUILD=1    use target/debug/thirdplace as it is
#   CARGO_TARGET_DIR           honoured, as cargo does
#   THIRDPLACE_BROWSER_KEEP=1  keep the temp dir (database, server log)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

chromium="${THIRDPLACE_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "browser suite: no Chromium at $chromium (apt-get install chromium)" >&2
    exit 1
  fi
  echo "browser suite: skipped, no Chromium at $chromium (apt-get install chromium)"
  exit 0
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser suite: $tool is missing (apt-get install nodejs npm)" >&2; exit 1; }
done

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "browser suite: Node.js 20 or newer is needed (found $(node --version))" >&2
  exit 1
fi

started=$SECONDS

# Pinned dependencies from package-lock.json; quiet unless something fails.
(
  cd browser
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    npm install --no-audit --no-fund --loglevel=error >/dev/null
  fi
) 2> >(grep -v 'Unknown user config' >&2)

bin="${CARGO_TARGET_DIR:-$root/target}/debug/thirdplace"
if [ "${THIRDPLACE_SKIP_BUILD:-}" != "1" ] || [ ! -x "$bin" ]; then
  # A no-op when the binary is up to date; templates are compiled in, so a
  # stale binary would test stale pages.
  cargo build --quiet -p thirdplace
fi

# The OpenID provider the single sign-on test signs in at (oidc/provider.mjs).
(
  cd oidc
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
) 2> >(grep -v 'Unknown user config' >&2)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/thirdplace-browser.XXXXXX")
server_pid=""
helper_pids=()
cleanup() {
  status=$?
  for pid in "$server_pid" "${helper_pids[@]}"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "$status" != 0 ] && [ -f "$tmp/server.log" ]; then
    echo "--- last lines of the server log ($tmp/server.log)" >&2
    tail -n 40 "$tmp/server.log" >&2 || true
  fi
  if [ "${THIRDPLACE_BROWSER_KEEP:-}" = "1" ] || [ "$status" != 0 ]; then
    echo "browser suite: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: ask the kernel for one, then hand it to the server.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')
base="http://127.0.0.1:$port"

# Waits until a helper started in the background prints `listening on X`
# into its log, and prints X.
listening_on() {
  local log=$1 pid=$2
  for _ in $(seq 1 150); do
    if grep -q '^listening on ' "$log" 2>/dev/null; then
      sed -n 's/^listening on //p' "$log" | head -n 1
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "browser suite: $log never said where it listens:" >&2
  cat "$log" >&2
  return 1
}

# The mailbox the app sends its e-mail to over SMTP (browser/mailbox.js).
node browser/mailbox.js "$tmp/mail" >"$tmp/mailbox.log" 2>&1 &
helper_pids+=($!)
mail_port=$(listening_on "$tmp/mailbox.log" "$!")

# An OpenID provider with the account of the person the SSO test invites.
oidc_client_id=thirdplace-browser
oidc_client_secret=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')
OIDC_PORT=0 OIDC_CLIENT_ID=$oidc_client_id OIDC_CLIENT_SECRET=$oidc_client_secret \
  OIDC_REDIRECT_URIS="$base/sso/callback" \
  OIDC_ACCOUNTS='[{"sub":"sigrid-ek","email":"sigrid.ek@skatteverket.example","email_verified":true}]' \
  node oidc/provider.mjs >"$tmp/oidc.log" 2>&1 &
helper_pids+=($!)
oidc_issuer=$(listening_on "$tmp/oidc.log" "$!")

# A key to seal the provider's client secret with; this run's only.
THIRDPLACE_SECRET_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))') \
  "$bin" --database-url "sqlite://$tmp/demo.db" --log-format text demo --addr "127.0.0.1:$port" \
  --smtp-url "smtp://127.0.0.1:$mail_port" >"$tmp/server.log" 2>&1 &
server_pid=$!

ready=0
for _ in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "browser suite: the server exited before it was ready" >&2
    exit 1
  fi
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$base/readyz" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
[ "$ready" = 1 ] || { echo "browser suite: $base/readyz did not answer within 60 s" >&2; exit 1; }
echo "browser suite: demo network on $base (server log: $tmp/server.log), Chromium: $("$chromium" --version 2>/dev/null | head -n 1)"

export THIRDPLACE_BASE_URL="$base"
export THIRDPLACE_MAILBOX="$tmp/mail"
export THIRDPLACE_OIDC_ISSUER="$oidc_issuer"
export THIRDPLACE_OIDC_CLIENT_ID="$oidc_client_id"
export THIRDPLACE_OIDC_CLIENT_SECRET="$oidc_client_secret"
export THIRDPLACE_CHROMIUM="$chromium"
# One test file at a time: this suite shares a 2-core machine with the server.
node --test --test-concurrency=1 "$@" browser/tests/
echo "browser suite: done in $((SECONDS - started)) s"
