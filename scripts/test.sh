#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine (Python 3.11, npm) and run it:
# a virtual environment with the project and its test tools, the npm peers (Fedify and Comunica on Node 22, axe-core) and
# Debian's Chromium for the page tests.
# Extra arguments go to pytest, e.g. scripts/test.sh -k webfinger
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite starts a few hundred Python processes (nodes, CLI runs): each should load the bytecode the first
# one compiled, and pytest should keep its rewritten test modules, even where the machine sets
# PYTHONDONTWRITEBYTECODE (this kind of machine does; every process then compiled every module again).
unset PYTHONDONTWRITEBYTECODE

# The npm peers install while pip does (each mostly waits on the registry and the disk); their output is
# shown once they have finished.
npm_logs=$(mktemp -d)
npm_pids=()
trap 'kill "${npm_pids[@]}" 2> /dev/null || true; rm -rf "$npm_logs"' EXIT
for peer in fedify comunica axe; do
    npm ci --prefix "tests/peers/$peer" --no-audit --no-fund --loglevel=error > "$npm_logs/$peer.log" 2>&1 &
    npm_pids+=("$!")
done

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# --no-compile: pip byte-compiles every installed module, one at a time (40 of its 67 s here); the modules the
# suite imports are compiled on first import instead, and only those.
.venv/bin/python -m pip install --quiet --no-compile --editable '.[test]'
# The linters need only the Python packages, so they run while npm may still be installing.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

npm_failed=0
for pid in "${npm_pids[@]}"; do
    wait "$pid" || npm_failed=1
done
npm_pids=()  # all finished: nothing for the exit trap to stop
cat "$npm_logs"/*.log
if [ "$npm_failed" -ne 0 ]; then
    echo "scripts/test.sh: npm ci failed for a peer in tests/peers (its output is above)" >&2
    exit 1
fi
# Debian's Chromium for the page tests in tests/browser (Playwright drives it; it downloads no browser), and
# Virtuoso (virtuoso-t, isql-vt) for the external graph store tests (tests/integration/test_external_store_*).
packages=""
if [ -z "${DSI4BCN_CHROMIUM:-}" ] && ! command -v chromium > /dev/null 2>&1; then packages="chromium"; fi
if ! command -v virtuoso-t > /dev/null 2>&1; then packages="$packages virtuoso-opensource"; fi
if [ -n "$packages" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages > /dev/null
fi

# Two workers, one a core: the suite mostly computes (a third worker took 3 % off the tests on 2026-12-02,
# not worth a timing test failing under the extra load); a module runs whole on one worker, so its shared nodes start once, and modules
# are handed out in the order tests/conftest.py gives them (not by their number of tests, which left the
# long browser modules for the end). DSI4BCN_TEST_WORKERS=0 runs everything in this process.
.venv/bin/python -m pytest -n "${DSI4BCN_TEST_WORKERS:-2}" --dist loadscope --no-loadscope-reorder --durations=15 "$@"
