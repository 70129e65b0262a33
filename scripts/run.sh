#!/usr/bin/env bash
# Set up, build the database from the bundled sample on first run, and start the dashboard.
# IMR_DB points at another database; extra arguments go to `streamlit run`. serve.py is app.py plus
# the routes that stream the filtered decisions (a download of any size without holding it in memory).
# The server listens on localhost only (.streamlit/config.toml); `--server.address 0.0.0.0` opens it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
db="${IMR_DB:-data/imr.duckdb}"
if [ ! -f "$db" ]; then
    echo "No database at $db yet: generating the sample letters and loading them (a minute or two)." >&2
    .venv/bin/python -m etl.sample --letters 3000 --seed 2026 --out data/sample --pdf-share 0.1
    # The sample holds a few deliberately bad files; the loader lists them as rejected and exits 1.
    .venv/bin/python -m etl.load data/sample --db "$db" || [ $? -eq 1 ]
fi
# The loader keeps the search index beside the database; this catches up one built before it (a no-op otherwise).
.venv/bin/python -m etl.search --db "$db" --quiet
export IMR_DB="$db"
exec .venv/bin/streamlit run serve.py --server.headless true "$@"
