"""The dashboard with its streamed downloads: `streamlit run serve.py` (scripts/run.sh does this).

It serves app.py as `streamlit run app.py` would, plus two routes that send the filtered decisions
as CSV or Excel written batch by batch (dashboard/export.py), so a million-row download never sits
whole in the server's memory. Run as `streamlit run app.py`, the pages fall back to downloads
built in memory and say so.
"""

import os

import streamlit as st

from dashboard import export

os.environ[export.STREAMING_ENV] = "1"
app = st.App("app.py", routes=export.ROUTES)
