#!/bin/sh
# The backup timer's job: the database (SQLite's online backup, or pg_dump) and the photos into
# BACKUP_DIR, then the backups older than BACKUP_KEEP_DAYS deleted, only after a good one.
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is not set}"
keep="${BACKUP_KEEP_DAYS:-30}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
stamp="$(date +%Y-%m-%d-%H%M)"
mkdir -p "$BACKUP_DIR"
"$python" "$here/manage.py" backup "$BACKUP_DIR/logbook-$stamp.db"
media="${DATA_DIR:-$here/var}/media"
if [ -d "$media" ]; then
  tar -czf "$BACKUP_DIR/media-$stamp.tar.gz" -C "$media" .
fi
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'logbook-*' -o -name 'media-*' \) \
  -mtime +"$keep" -delete
