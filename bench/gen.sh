#!/usr/bin/env bash
# bench/gen.sh - synthetic chain generation speed: receipt lines per second.
# Usage: bash bench/gen.sh [MEMBERS] [DAYS]
set -eu
cd "$(dirname "$0")/.."
members=${1:-100000}
days=${2:-120}
make -s karta
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
./karta gen --out "$out" --members "$members" --days "$days" >/dev/null
end=$(date +%s.%N)
lines=$(($(wc -l <"$out/receipt_lines.csv") - 1))
awk -v l="$lines" -v s="$start" -v e="$end" -v m="$members" -v d="$days" \
  'BEGIN { printf "gen: %d members, %d days: %d receipt lines in %.2f s = %.0f lines/s\n", m, d, l, e - s, l / (e - s) }'
