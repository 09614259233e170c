#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS - build every tests/fuzz/fuzz_NAME.c with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, linked with all of src/
# except src/cli/main.c, and run each for SECONDS seconds on its corpus.
#
#   build/fuzz/fuzz_NAME           the fuzzer
#   build/fuzz/corpus/NAME/        its corpus, seeded from tests/fuzz/corpus/NAME/
#   build/fuzz/NAME.log            its output; crash inputs in build/fuzz/crash/NAME/
#
# Prints "ok   fuzz NAME" or "FAIL fuzz NAME" per entry, then
# "fuzz: N passed, N failed"; exits 1 if any failed. A missing clang or
# libFuzzer is a failure, never a silent skip. FUZZ_CC overrides the compiler.
set -u
cd "$(dirname "$0")/../.." || exit 1

seconds=${1:-30}
cc=${FUZZ_CC:-clang}
out=build/fuzz
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -Isrc)
libs=(-lsqlite3 -ljansson -lmicrohttpd -lpthread -lm)
passed=0
failed=0

entries=(tests/fuzz/fuzz_*.c)
if [ ! -e "${entries[0]}" ]; then
    echo "FAIL fuzz (none): no tests/fuzz/fuzz_*.c found"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

fail_all() {
    echo "*** fuzz: $1 ***" >&2
    for e in "${entries[@]}"; do
        n=$(basename "$e" .c)
        echo "FAIL fuzz ${n#fuzz_}"
    done
    echo "fuzz: 0 passed, ${#entries[@]} failed"
    exit 1
}

mkdir -p "$out"
if ! command -v "$cc" >/dev/null 2>&1; then
    fail_all "$cc not found: the fuzzers need clang with libFuzzer (apt-get install clang)"
fi
probe="$out/probe"
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! "$cc" "${cflags[@]}" "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
    cat "$probe.log" >&2
    fail_all "$cc cannot build with -fsanitize=fuzzer: libFuzzer is missing (see $probe.log)"
fi

# The code under test: everything in src/ but the CLI's main(), compiled once
# (instrumented, without libFuzzer's main) and linked into every entry.
mapfile -t srcs < <(find src -name '*.c' ! -path 'src/cli/main.c' | sort)
objs=()
for s in "${srcs[@]}"; do objs+=("$out/obj/${s%.c}.o"); done
compile_one() { # SRC OBJ
    rm -f "$2"
    mkdir -p "$(dirname "$2")" && "$cc" "${cflags[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" -c "$1" -o "$2"
}
objlog="$out/objects.log"
: >"$objlog"
pids=()
for i in "${!srcs[@]}"; do
    compile_one "${srcs[$i]}" "${objs[$i]}" >>"$objlog" 2>&1 &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$(nproc)" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
objs_ok=1
for p in "${pids[@]}"; do wait "$p"; done
for o in "${objs[@]}"; do [ -s "$o" ] || objs_ok=0; done

for e in "${entries[@]}"; do
    bin="$out/$(basename "$e" .c)"
    name=$(basename "$e" .c)
    name=${name#fuzz_}
    log="$out/$name.log"
    corpus="$out/corpus/$name"
    crash="$out/crash/$name"
    mkdir -p "$corpus" "$crash"
    if [ "$objs_ok" -ne 1 ]; then
        echo "FAIL fuzz $name (src/ did not compile, see $objlog)"
        grep -m 5 -E 'error' "$objlog" | sed 's/^/    /'
        failed=$((failed + 1))
        continue
    fi
    if ! "$cc" "${cflags[@]}" "$e" "${objs[@]}" -o "$bin" "${libs[@]}" >"$log" 2>&1; then
        echo "FAIL fuzz $name (build failed, see $log)"
        tail -n 20 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
        continue
    fi
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
    fi
    if "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
        -artifact_prefix="$crash/" "$corpus" >>"$log" 2>&1; then
        echo "ok   fuzz $name"
        passed=$((passed + 1))
    else
        echo "FAIL fuzz $name (see $log; inputs in $crash/)"
        grep -m 3 -E 'ERROR|runtime error|PANIC|Assertion|SUMMARY' "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
