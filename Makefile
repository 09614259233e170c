# Karta - plain Makefile. `make` builds ./karta; `make test` runs every test
# with AddressSanitizer and UndefinedBehaviorSanitizer; `make fuzz` runs the
# libFuzzer entries for a bounded time (clang).

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
LIBS    := -lsqlite3 -ljansson -ldl -lpthread -lm
INC     := -Isrc

SRC     := $(shell find src -name '*.c' ! -path 'src/cli/main.c' | sort)
HDR     := $(shell find src -name '*.h' -o -name '*.def')
OBJ     := $(SRC:%.c=build/rel/%.o)
UNIT    := $(sort $(wildcard tests/unit/*.c))

SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_OBJ := $(SRC:%.c=build/asan/%.o)

.PHONY: all test unit cli-test fuzz bench demo clean setup

all: karta

karta: $(OBJ) build/rel/src/cli/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/rel/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(WARN) $(INC) -c -o $@ $<

build/asan/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) -O1 -g $(SAN) $(WARN) $(INC) -c -o $@ $<

# The same code must build warning-free with clang (run by `make test`).
CLANG_OBJ := $(SRC:%.c=build/clang/%.o)
build/clang/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	@clang -O2 -g $(WARN) $(INC) -c -o $@ $<

build/clang/karta: $(CLANG_OBJ) build/clang/src/cli/main.o
	clang -o $@ $^ $(LIBS)

build/asan/karta: $(ASAN_OBJ) build/asan/src/cli/main.o
	$(CC) $(SAN) -o $@ $^ $(LIBS)

build/asan/unit: $(ASAN_OBJ) $(UNIT:%.c=build/asan/%.o)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# The full test run: sanitizer builds, unit tests, CLI tests, crash tests,
# bad-input tests, short fuzz runs; ends with "N passed, N failed".
test: karta build/clang/karta build/asan/karta build/asan/unit
	@bash tests/run-all.sh

unit: build/asan/unit
	./build/asan/unit

fuzz:
	@bash tests/fuzz/run.sh $${FUZZ_SECONDS:-30}

demo: karta
	./karta demo

bench: karta
	@bash bench/run.sh

clean:
	rm -rf build karta
