#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine (Python 3.11, npm) and run it:
# a virtual environment with the project and its test tools, and the npm peer (Fedify on Node 22).
# Extra arguments go to pytest, e.g. scripts/test.sh -k webfinger
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable '.[test]'
npm ci --prefix tests/peers/fedify --no-audit --no-fund --loglevel=error

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
