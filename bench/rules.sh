#!/usr/bin/env bash
# bench/rules.sh - rule engine pricing speed, in process, one core: a synthetic
# 50-rule program, 10-line baskets, 5 personal offers. Prints baskets/s for
# 5 runs and the median. Usage: bash bench/rules.sh [BASKETS_PER_RUN]
set -eu
cd "$(dirname "$0")/.."
cc=${CC:-cc}
mkdir -p build/bench
$cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
  -Wno-missing-field-initializers -Isrc -o build/bench/rules bench/rules.c src/rules/*.c src/core/*.c -ljansson -lm
./build/bench/rules "${1:-2000000}"
