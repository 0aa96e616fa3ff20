#!/usr/bin/env bash
# Draws the app icons (icon-192.png, icon-512.png) from icon.svg with
# headless Chromium. Run after changing icon.svg; the PNGs are committed.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 192 512; do
  printf '<!doctype html><style>html,body{margin:0;background:transparent}img{display:block;width:%spx;height:%spx}</style><img src="file://%s/icon.svg">' \
    "$n" "$n" "$PWD" > "$tmp/i$n.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --default-background-color=00000000 --window-size="$n,$n" \
    --screenshot="$PWD/icon-$n.png" "file://$tmp/i$n.html" 2>/dev/null
done
