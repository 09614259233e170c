#!/usr/bin/env bash
# scale.sh - a slice of a Pyaterochka month through Karta: `karta gen --direct`
# writes the receipts straight into the columnar store, then RFM, ABC and R1 run
# on it; each step's wall time and peak memory (/usr/bin/time -v) are printed,
# with a linear extrapolation to the whole month.
#
#   bash bench/scale.sh [FRACTION]     (default 10: a tenth of the month)
#
# The month (the analytics issue's goal): 40M members, 420M receipts, 2.7B lines,
# imported and analysed (RFM, ABC, R1) within 10 minutes in at most 16 GB. A slice
# 1/F has 40M/F members; the generator's members come about 2.1 times a month, not
# the month's 10.5, so the slice spans five calendar months (151 days from 1 January
# to 31 May) to reach 2.7B/F lines and 420M/F receipts (the members, receipts and
# lines all a 1/F share; only the calendar is longer). The analyses run as of the
# last day. gen --direct writes compact segments: about 16 bytes a line plus 27 a
# receipt (~21 bytes a line in all); the disk is checked first. The generator runs
# on every core (--threads, SCALE_THREADS to override); stores are capped at the
# generator's 9,999 (the month's chain has ~20,000: more stores only spread the
# same receipts thinner).
#
# Environment: SCALE_WORK=DIR (default /tmp) holds the data while it runs; it is
# deleted at the end unless KEEP=1. SCALE_DAYS overrides the 151 days.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
frac=${1:-10}
case $frac in '' | *[!0-9]* | 0) echo "scale.sh: FRACTION must be a positive number, got '$frac'" >&2; exit 2 ;; esac
karta="$top/karta"
[ -x "$karta" ] || make -C "$top" karta >/dev/null
members=$((40000000 / frac))
days=${SCALE_DAYS:-151}
stores=$((20000 / frac)); [ "$stores" -ge 20 ] || stores=20; [ "$stores" -le 9999 ] || stores=9999
threads=${SCALE_THREADS:-$(nproc)}
products=20000
expect_lines=$((2700000000 / frac))
work=$(mktemp -d "${SCALE_WORK:-/tmp}/karta-scale.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
need_kb=$((expect_lines / 1000 * 26)) # ~21 bytes a line of columns and receipts + margin
free_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
  echo "scale.sh: about $((need_kb / 1048576)) GB needed in $work, $((free_kb / 1048576)) GB free" >&2
  exit 1
fi
export KARTA_DATA="$work/data" KARTA_NOW="2026-06-01T10:00:00+03:00"
cp "$karta" "$work/karta" # a snapshot: a rebuild of the tree during the run must not change it
karta="$work/karta"
as_of=$(date -u -d "2026-01-01 + $((days - 1)) days" +%F)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sm);" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); other jobs may be running"
echo "slice 1/$frac of a month: $members members, $stores stores, $products SKUs, $days days from 2026-01-01"

# step NAME CMD...: wall seconds, CPU seconds (user + system: what a shared machine
# does not inflate), peak RSS (which counts the pages of mapped column files: the
# kernel can drop those at any time) and peak anonymous memory (heap and stacks,
# sampled from /proc every 0.1 s: what must fit). Stdout is kept in $work/NAME.out.
total_secs=0 total_cpu=0 peak_kb=0 peak_anon_kb=0
step() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local tpid=$! anon=0 a pid
  while kill -0 $tpid 2>/dev/null; do
    pid=$(pgrep -P $tpid | head -1 || true)
    if [ -n "$pid" ]; then
      a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
    fi
    sleep 0.1
  done
  if ! wait $tpid; then
    if grep -q -i 'unknown command\|unknown report' "$work/$name.err"; then
      printf '%-18s not built yet\n' "$name"
      return 0
    fi
    echo "$name failed:"; cat "$work/$name.err"; tail -5 "$work/$name.time"; exit 1
  fi
  local secs cpu kb
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/$name.time")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$work/$name.time")
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$name.time")
  printf '%-18s %7.1f s wall %7.1f s cpu %7.0f MB peak rss %7.0f MB peak anon\n' "$name" "$secs" "$cpu" \
    "$(echo "$kb / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)"
  total_secs=$(echo "$total_secs + $secs" | bc -l)
  total_cpu=$(echo "$total_cpu + $cpu" | bc -l)
  [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
  [ "$anon" -gt "$peak_anon_kb" ] && peak_anon_kb=$anon
  return 0
}

"$karta" init >/dev/null
step "gen --direct" "$karta" gen --direct --columns-only --members "$members" --stores "$stores" \
  --products "$products" --days "$days" --threads "$threads"
grep 'cols:\|lines/s' "$work/gen --direct.out" | sed 's/^/  /'
lines=$(awk '/cols:/ { gsub(",", ""); for (i = 1; i <= NF; i++) if ($(i + 1) == "lines;") print $i }' "$work/gen --direct.out")
echo "  columns: $(du -sh "$KARTA_DATA/cols" | cut -f1)"
import_secs=$total_secs import_cpu=$total_cpu
step "rfm" "$karta" rfm --format csv --as-of "$as_of" --stats
echo "  $(($(wc -l <"$work/rfm.out") - 1)) members; $(grep -v '^$' "$work/rfm.err" | tail -1)"
step "abc sku revenue" "$karta" abc --of sku --by revenue --format csv --as-of "$as_of"
step "R1 sales by hour" "$karta" report sales --by hour --format csv --as-of "$as_of"
analyses_secs=$(echo "$total_secs - $import_secs" | bc -l)
analyses_cpu=$(echo "$total_cpu - $import_cpu" | bc -l)

echo
awk -v f="$frac" -v l="$lines" -v t="$total_secs" -v i="$import_secs" -v a="$analyses_secs" -v p="$peak_kb" -v pa="$peak_anon_kb" \
    -v ic="$import_cpu" -v ac="$analyses_cpu" 'BEGIN {
  printf "slice: %.0f M lines; import (gen --direct) %.0f s + analyses %.0f s = %.0f s wall", l / 1e6, i, a, t
  printf " (cpu %.0f s + %.0f s); peak rss %.1f GB, peak anon %.1f GB\n", ic, ac, p / 1048576, pa / 1048576
  printf "month, linear x%d: import %.0f s + analyses %.0f s = %.0f s wall (goal 600 s);", f, i * f, a * f, t * f
  printf " cpu %.0f s + %.0f s\n", ic * f, ac * f
}'
