#!/usr/bin/env bash
# Runs thidua on its embedded default: SQLite in instance/, files on local disk, jobs
# in-process, demo data loaded on first start, on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
export FLASK_APP=thidua
.venv/bin/flask db upgrade
.venv/bin/flask demo load --if-empty
echo "thidua: http://127.0.0.1:${PORT:-5000}"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
