#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment with the pinned packages, and, with
# --browser, Debian's Chromium for the real-browser test. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import sys, pathlib; sys.exit(0 if pathlib.Path('.venv/.requirements').read_text() == pathlib.Path('requirements.txt').read_text() else 1)" 2>/dev/null; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -r requirements.txt
    cp requirements.txt .venv/.requirements
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
    echo "Installing Debian's Chromium for the browser test..." >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
