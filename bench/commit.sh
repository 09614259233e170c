#!/usr/bin/env bash
# bench/commit.sh [RECEIPTS] [GROUP] - durable checkout commits per second
# through the library path on the SQLite store (synchronous=FULL): one writer
# one receipt per transaction, then group commit of GROUP receipts per
# transaction. 10-line baskets, members of a generated 20,000-member chain,
# the seed rules. Prints the figures; records nothing.
set -eu
cd "$(dirname "$0")/.."
receipts=${1:-2000}
group=${2:-64}
make -s karta
objs=$(find build/rel/src -name '*.o' ! -path 'build/rel/src/cli/*' ! -path 'build/rel/src/server/*')
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -o build/commit_bench bench/commit_bench.c $objs -lsqlite3 -ljansson -lmicrohttpd -lpthread -lm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export KARTA_DATA=$dir/data KARTA_NOW=2026-03-01T10:00:00+03:00
./karta gen --out "$dir/chain" --members 20000 --products 2000 --days 1 >/dev/null
./karta init >/dev/null
./karta import "$dir/chain" --as-of 2025-12-01 >/dev/null
./karta rules load examples/rules/seed.json >/dev/null
awk -F, 'NR > 1 { print $1 }' "$dir/chain/products.csv" >"$dir/skus"
awk -F, 'NR > 1 && $3 == "active" { print $1 }' "$dir/chain/cards.csv" >"$dir/cards"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(df -h "$dir" | awk 'NR==2{print $1}')"
./build/commit_bench "$KARTA_DATA" "$dir/skus" "$dir/cards" "$receipts" "$group"
