#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints its own figures). Results are
# recorded by hand, with the machine and command, in bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
  [ "$b" = bench/run.sh ] && continue
  echo "== $b"
  bash "$b"
done
