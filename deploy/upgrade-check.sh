#!/usr/bin/env bash
# make upgrade-check: the database of the previous release (its latest v* tag, or BASE) with the
# demo plant, upgraded to this code with `migrate`; then the data must all be there (rows,
# signatures, audit trail) and every page answer. DATABASE_URL may name an empty PostgreSQL
# database; by default a throwaway SQLite file.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
base="$(git -C "$here" describe --tags --abbrev=0 --match 'v*' HEAD^ 2>/dev/null || true)"
base="${base:-${1:?give the commit to upgrade from (before the first release tag)}}"
work="$(mktemp -d /tmp/upgrade-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/base" "$work/data"
git -C "$here" archive "$base" | tar -x -C "$work/base"
export LOG_LEVEL=WARNING DEBUG=false PLAIN_STATIC_STORAGE=true ALLOWED_HOSTS=testserver,localhost \
  SECRET_KEY=upgrade-check-only-key-0123456789abcdefghijklmnopqrstuvwxyz DATA_DIR="$work/data"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$work/upgrade.sqlite3}"
echo "== $base: migrate, load the demo plant"
(cd "$work/base" && "$python" manage.py migrate --noinput -v 0 \
  && "$python" manage.py load_demo >/dev/null \
  && "$python" manage.py shell -v 0 -c "$(cat "$here/deploy/upgrade_snapshot.py")" >"$work/before.json")
echo "== $(git -C "$here" rev-parse --short HEAD): migrate, check"
cd "$here"
"$python" manage.py migrate --noinput -v 0
UPGRADE_BEFORE="$work/before.json" "$python" manage.py shell -v 0 -c "$(cat deploy/upgrade_probe.py)"
