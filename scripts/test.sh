#!/usr/bin/env bash
# Set up (packages and Chromium) and run the linter and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
.venv/bin/ruff check .
# os._exit skips the interpreter's teardown, where DuckDB's bindings would print a report of
# objects still alive (harmless) after pytest's summary line.
.venv/bin/python -c 'import os, sys, pytest; code = pytest.main(sys.argv[1:]); sys.stdout.flush(); sys.stderr.flush(); os._exit(code)' "$@"
