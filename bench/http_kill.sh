#!/usr/bin/env bash
# bench/http_kill.sh [KILLS] - the long run of the crash test: the server is
# SIGKILLed KILLS times (default 100) under commits and refunds; see
# tests/crash/http_kill.sh for what is checked afterwards.
set -eu
cd "$(dirname "$0")/.."
make -s karta
bash tests/crash/http_kill.sh "${1:-100}"
