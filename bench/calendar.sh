#!/usr/bin/env bash
# The open calendar under load (see bench/README.md, "Calendar (issue 5)"):
# calendar-load in release on SQLite, then on PostgreSQL (see bench/run-load.sh).
# Extra arguments go to calendar-load, e.g.
#   bash bench/calendar.sh --seconds 15 --scenarios feed,list
# `--sqlite-only` / `--postgres-only` (first argument) pick one backend;
# `--no-build` (first argument) uses target/release/calendar-load as it is.
exec bash "$(dirname "$0")/run-load.sh" calendar-load "$@"
