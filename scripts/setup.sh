#!/usr/bin/env bash
# Installs every Debian package Karta needs to build, test and run, as root on
# Debian 12. Idempotent: when everything is already installed it does nothing
# (and needs no root). See README.md for what each package is for.
set -euo pipefail

packages=(
  build-essential   # gcc 12, make, libc headers
  clang             # second compiler; libFuzzer for the fuzz entries
  libclang-rt-14-dev  # clang's sanitizer and libFuzzer runtimes
  libsqlite3-dev    # the embedded operational store
  sqlite3           # the sqlite3 shell: tests cross-check results with plain SQL
  jq                # tests pick fields out of JSON answers
  libjansson-dev    # JSON output (and the HTTP API's documents)
  libmicrohttpd-dev # the HTTP server library behind `karta serve`
  curl              # the HTTP tests (tests/http/run.sh) call the API with it
  wrk               # the HTTP load benchmark (bench/http.sh)
  python3           # tests: the independent association-rule miner (tests/basket)
  pkg-config
  ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root (or: sudo bash scripts/setup.sh)" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
