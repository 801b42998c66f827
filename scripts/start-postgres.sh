#!/usr/bin/env bash
# Starts a local PostgreSQL for the test suite (as root; rerunnable) and prints its SQLAlchemy URL.
set -euo pipefail
[ "$(id -u)" = "0" ] || exit 1
command -v apt-get >/dev/null 2>&1 || exit 1
export DEBIAN_FRONTEND=noninteractive
if ! dpkg -s postgresql >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq postgresql; } >/dev/null 2>&1 || exit 1
fi
ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
[ -n "$ver" ] || exit 1
pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$ver main$" || pg_createcluster "$ver" main >/dev/null 2>&1
pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true   # exits 2 when already running
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 || exit 1
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='jo_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE jo_test LOGIN PASSWORD 'jo_test'\"" >/dev/null
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='jo_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O jo_test jo_test" >/dev/null
echo "postgresql+psycopg://jo_test:jo_test@127.0.0.1:5432/jo_test"
