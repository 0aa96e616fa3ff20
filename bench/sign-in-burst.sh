#!/usr/bin/env bash
# Memory under a burst of sign-ins (see bench/README.md, "Sign-in burst").
# Starts the release binary's `demo` on a fresh SQLite database, signs in
# 16 browsers at the same instant (the five demo logins in turn, each with
# its own CSRF cookie), samples the server's VmRSS every 5 ms and reads its
# VmHWM, and prints the resident memory before, at the peak and after each
# burst. Target: peak under 64 MB. Exit 0 met, 1 missed, 2 could not run.
#
#   bash bench/sign-in-burst.sh [--no-build] [--bin PATH] [--clients 16] [--rounds 3]
set -euo pipefail

CLIENTS=16
ROUNDS=3
BUILD=1
BIN=""
TARGET_MB=64
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) CLIENTS="$2"; shift ;;
        --rounds) ROUNDS="$2"; shift ;;
        --no-build) BUILD=0 ;;
        --bin) BIN="$2"; BUILD=0; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v python3 >/dev/null 2>&1 || { echo "python3 is required" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then
    echo "== cargo build --release -p thirdplace"
    cargo build --release -p thirdplace
fi
BIN="${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/thirdplace}"
[ -x "$BIN" ] || { echo "no server binary at $BIN (build it, or pass --bin)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/thirdplace-signin.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
echo "== $BIN demo on 127.0.0.1:$PORT (SQLite in $WORK), $(nproc) cores"
RUST_LOG=warn "$BIN" demo --database-url "sqlite://$WORK/demo.db" --addr "127.0.0.1:$PORT" \
    > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 2; }
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server not ready" >&2; exit 2; }

python3 - "$SERVER_PID" "$PORT" "$CLIENTS" "$ROUNDS" "$TARGET_MB" "$WORK/server.log" <<'PY'
import http.client, re, sys, threading, time, urllib.parse

pid, port, clients, rounds, target_mb, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
emails = sorted(set(re.findall(r"[\w.+-]+@[\w.-]+\.example", open(log).read())))
if not emails:
    sys.exit("the demo printed no sign-ins")

def status_kb(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

def prepared(email):
    """A browser on the sign-in page: its CSRF cookie and the form body."""
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/login")
    r = c.getresponse()
    html = r.read().decode()
    cookie = r.getheader("set-cookie").split(";")[0]
    csrf = re.search(r'name="_csrf" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"_csrf": csrf, "email": email, "password": "demo", "next": "/"})
    return c, cookie, body

def mb(kb):
    return kb / 1024

ok = True
print(f"{'round':>5} {'before MB':>10} {'peak MB':>8} {'after 2 s MB':>13} {'burst s':>8}  statuses")
for n in range(1, rounds + 1):
    browsers = [prepared(emails[i % len(emails)]) for i in range(clients)]
    time.sleep(0.5)
    before = status_kb("VmRSS")
    try:
        open(f"/proc/{pid}/clear_refs", "w").write("5")  # reset VmHWM
    except OSError:
        pass
    peak, statuses, done = [before], [None] * clients, threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], status_kb("VmRSS"))
            time.sleep(0.005)
    go = threading.Barrier(clients + 1)
    def sign_in(i):
        c, cookie, body = browsers[i]
        go.wait()
        c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        r = c.getresponse()
        r.read()
        statuses[i] = r.status
    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    time.sleep(2)
    done.set()
    sampler.join()
    after = status_kb("VmRSS")
    top = max(peak[0], status_kb("VmHWM"))
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"{n:>5} {mb(before):>10.1f} {mb(top):>8.1f} {mb(after):>13.1f} {took:>8.2f}  {counts}")
    ok = ok and mb(top) < target_mb and counts == {303: clients}
print(f"target: peak under {target_mb} MB with every sign-in answered 303: {'met' if ok else 'MISSED'}")
sys.exit(0 if ok else 1)
PY
