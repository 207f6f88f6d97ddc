#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine and runs the whole suite,
# on SQLite and then on a real PostgreSQL server (with Redis beside it), both started
# here on temporary directories and loopback ports and stopped at the end.
# Extra arguments go to pytest, e.g. scripts/test.sh -k deadline
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- system packages (Debian) ---------------------------------------------------------
PACKAGES=(postgresql redis-server chromium fonts-liberation fonts-liberation2 fonts-crosextra-carlito poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui nginx openssl curl)
# Node and npm bring axe-core (package.json), which the browser tests load into every page they check.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node packages (node_modules/axe-core/axe.min.js for the accessibility tests) ----------
npm ci --no-audit --no-fund --loglevel=error

# --- Python environment ---------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
PY=.venv/bin/python

# --- services on loopback ---------------------------------------------------------------
WORK=$(mktemp -d /tmp/thidua-test-XXXXXX)
chmod 755 "$WORK"
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
S3_PORT=$(free_port)
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$WORK/pg"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$WORK/pg"; fi

cleanup() {
  set +e
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1
  if [ -f "$WORK/redis.pid" ]; then kill "$(cat "$WORK/redis.pid")" 2>/dev/null; fi
  if [ -n "${S3_PID:-}" ]; then kill "$S3_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U thidua --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o \
  "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U thidua thidua_test
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$WORK" \
  --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"

# An S3 API server (moto, from PyPI) on loopback: the PostgreSQL pass keeps every file in it.
.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/s3.log" 2>&1 &
S3_PID=$!
for _ in $(seq 100); do
  "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$S3_PORT/moto-api/', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
export AWS_ACCESS_KEY_ID=thidua-test AWS_SECRET_ACCESS_KEY=thidua-test AWS_DEFAULT_REGION=us-east-1
export THIDUA_TEST_S3_URL="http://127.0.0.1:$S3_PORT"  # the object-store tests, on both passes

export THIDUA_TEST_PG_ADMIN_URL="postgresql+psycopg://thidua@127.0.0.1:$PG_PORT/postgres"
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export THIDUA_CHROMIUM=/usr/bin/chromium
mkdir -p test-artifacts

status=0
echo "== pytest on SQLite"
env -u TEST_DATABASE_URL "$PY" -m pytest -p no:cacheprovider "$@" || status=$?
echo "== pytest on PostgreSQL, files in the S3 API server"
# The accessibility checks read the pages' markup, which no database changes: they run on the first pass only.
TEST_FILES_IN_S3=1 TEST_DATABASE_URL="postgresql+psycopg://thidua@127.0.0.1:$PG_PORT/thidua_test" \
  "$PY" -m pytest -p no:cacheprovider --ignore=tests/browser/test_accessibility.py "$@" || status=$?
exit $status
