#!/usr/bin/env bash
# Room bookings and availability under load (see bench/README.md, "Bookings"):
# booking-load in release on SQLite, then on PostgreSQL (see bench/run-load.sh).
# Extra arguments go to booking-load, e.g.
#   bash bench/bookings.sh --seconds 15 --scenarios book,availability
# `--sqlite-only` / `--postgres-only` (first argument) pick one backend;
# `--no-build` (first argument) uses target/release/booking-load as it is.
exec bash "$(dirname "$0")/run-load.sh" booking-load "$@"
