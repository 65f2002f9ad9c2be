#!/usr/bin/env bash
# Plant Logbook on a Debian/Ubuntu server: a service user, the code and a virtual environment,
# the environment file, the database migrated, static files collected, translations compiled,
# the systemd units and timers. Run as root from the unpacked source. Idempotent: run it again
# (after an upgrade of the source, say) and it brings the install up to date, keeping the
# environment file and the data. See docs/operations.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: deploy/install.sh [options]
  --database-url URL   postgres://user:password@host:5432/name (asked once; kept in the env file)
  --create-database    create a local PostgreSQL role and database (installs postgresql)
  --host NAME          the name people open it at (default: this machine's name)
  --http               a test install on plain HTTP: listens on 0.0.0.0:8000, no TLS settings
  --prefix DIR         code and virtual environment (default /opt/plant-logbook)
  --etc DIR            the environment file (default /etc/plant-logbook)
  --data DIR           photos, static files (default /var/lib/plant-logbook)
  --backup DIR         backups (default /var/backups/plant-logbook)
  --units DIR          systemd units (default /etc/systemd/system)
  --user NAME          the service user (default plant-logbook)
  --no-systemctl       write the units but do not enable or start them
EOF
}

SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX=/opt/plant-logbook ETC=/etc/plant-logbook DATA=/var/lib/plant-logbook
BACKUP=/var/backups/plant-logbook UNITS=/etc/systemd/system SERVICE_USER=plant-logbook
DATABASE_URL_ARG="" CREATE_DATABASE=0 HOST="" HTTP=0 SYSTEMCTL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --database-url) DATABASE_URL_ARG="$2"; shift 2 ;;
    --create-database) CREATE_DATABASE=1; shift ;;
    --host) HOST="$2"; shift 2 ;;
    --http) HTTP=1; shift ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --etc) ETC="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --backup) BACKUP="$2"; shift 2 ;;
    --units) UNITS="$2"; shift 2 ;;
    --user) SERVICE_USER="$2"; shift 2 ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
APP="$PREFIX/app" VENV="$PREFIX/venv" ENVFILE="$ETC/plant-logbook.env"
say() { printf '== %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "run it as root (sudo deploy/install.sh …)" >&2; exit 1; }

# --- System packages -----------------------------------------------------------------------
# The system's Python: the service user must be able to run it (not one under /root).
PY=/usr/bin/python3
need=()
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || need+=(python3)
"$PY" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
[ "$CREATE_DATABASE" = 1 ] && ! command -v psql >/dev/null && need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed ($PY is $("$PY" --version))" >&2; exit 1; }

# --- The service user and its directories ------------------------------------------------------
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  say "user $SERVICE_USER"
  useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi
install -d -m 755 "$PREFIX" "$UNITS"
install -d -m 750 -o root -g "$SERVICE_USER" "$ETC"
install -d -m 750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA" "$BACKUP"

# --- The code (replaced whole: an install or an upgrade) and its environment -------------------
say "code in $APP"
rm -rf "$APP.new"
install -d -m 755 "$APP.new"
tar -C "$SOURCE" --exclude=./.venv --exclude=./var --exclude=./.git --exclude='*.pyc' \
  --exclude='__pycache__' --exclude='*.egg-info' --exclude=./test-results -cf - . \
  | tar -C "$APP.new" -xf -
rm -rf "$APP.old"
[ -d "$APP" ] && mv "$APP" "$APP.old"
mv "$APP.new" "$APP"
rm -rf "$APP.old"

say "virtual environment in $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# Directory login's library builds against OpenLDAP's and Python's headers, when they are here
# (apt-get install libldap2-dev libsasl2-dev python3-dev, then run this again).
extra=""
headers="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h"
[ -e /usr/include/ldap.h ] && [ -e /usr/include/sasl/sasl.h ] && [ -e "$headers" ] && extra="[ldap]"
"$VENV/bin/python" -m pip install --quiet -e "$APP$extra"
"$VENV/bin/pybabel" --quiet compile -d "$APP/locale" -D django

# --- The environment file: written once, then the administrator's --------------------------------
if [ ! -e "$ENVFILE" ]; then
  database_url="$DATABASE_URL_ARG"
  if [ -z "$database_url" ] && [ "$CREATE_DATABASE" = 1 ]; then
    password="$("$PY" -c 'import secrets; print(secrets.token_hex(24))')"
    say "PostgreSQL role and database plant_logbook"
    (cd / && runuser -u postgres -- psql -qtc \
      "SELECT 1 FROM pg_roles WHERE rolname = 'plant_logbook'" | grep -q 1) \
      && (cd / && runuser -u postgres -- psql -qc "ALTER ROLE plant_logbook PASSWORD '$password'") \
      || (cd / && runuser -u postgres -- psql -qc "CREATE ROLE plant_logbook LOGIN PASSWORD '$password'")
    (cd / && runuser -u postgres -- psql -qtc \
      "SELECT 1 FROM pg_database WHERE datname = 'plant_logbook'" | grep -q 1) \
      || (cd / && runuser -u postgres -- createdb -O plant_logbook -E UTF8 plant_logbook)
    database_url="postgres://plant_logbook:$password@127.0.0.1:5432/plant_logbook"
  fi
  if [ -z "$database_url" ]; then
    echo "give the database: --database-url postgres://… or --create-database" >&2
    exit 2
  fi
  host="${HOST:-$(hostname -f 2>/dev/null || hostname)}"
  if [ "$HTTP" = 1 ]; then
    secure=false scheme=http proxies=0 bind=0.0.0.0:8000 port=":8000"
  else
    secure=true scheme=https proxies=1 bind=127.0.0.1:8000 port=""
  fi
  say "environment file $ENVFILE"
  SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  METRICS_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  DATABASE_URL="$database_url" HOSTS="$host,localhost,127.0.0.1" \
  ORIGINS="$scheme://$host$port" SECURE="$secure" PROXIES="$proxies" DATA="$DATA" \
  BACKUP="$BACKUP" SITE_URL="$scheme://$host$port" BIND="$bind" \
  "$PY" - "$SOURCE/deploy/env.template" "$ENVFILE.new" <<'PY'
import os, sys
text = open(sys.argv[1], encoding="utf-8").read()
for placeholder, name in [
    ("@SECRET_KEY@", "SECRET_KEY"), ("@METRICS_TOKEN@", "METRICS_TOKEN"),
    ("@DATABASE_URL@", "DATABASE_URL"), ("@ALLOWED_HOSTS@", "HOSTS"),
    ("@CSRF_TRUSTED_ORIGINS@", "ORIGINS"), ("@SECURE@", "SECURE"),
    ("@TRUSTED_PROXY_COUNT@", "PROXIES"), ("@DATA_DIR@", "DATA"), ("@BACKUP_DIR@", "BACKUP"),
    ("@SITE_URL@", "SITE_URL"),
]:
    text = text.replace(placeholder, os.environ[name])
text = text.replace("GUNICORN_BIND=127.0.0.1:8000", "GUNICORN_BIND=" + os.environ["BIND"])
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY
  install -m 640 -o root -g "$SERVICE_USER" "$ENVFILE.new" "$ENVFILE"
  rm -f "$ENVFILE.new"
else
  say "environment file $ENVFILE kept"
fi

# A command to run manage.py as the service, with its environment: plant-logbook createsuperuser
install -d -m 755 "$PREFIX/bin"
cat >"$PREFIX/bin/plant-logbook" <<EOF
#!/bin/sh
# manage.py of the installed logbook, as its service user, with its environment file.
cd "$APP"
if [ "\$(id -u)" -eq 0 ]; then
  exec runuser -u "$SERVICE_USER" -- "$VENV/bin/python" "$APP/deploy/with_env.py" "$ENVFILE" \\
    "$VENV/bin/python" "$APP/manage.py" "\$@"
fi
exec "$VENV/bin/python" "$APP/deploy/with_env.py" "$ENVFILE" "$VENV/bin/python" "$APP/manage.py" "\$@"
EOF
chmod 755 "$PREFIX/bin/plant-logbook"

say "migrate, collectstatic"
"$PREFIX/bin/plant-logbook" migrate --noinput
"$PREFIX/bin/plant-logbook" collectstatic --noinput --verbosity 0

# --- systemd units and timers ----------------------------------------------------------------------
say "systemd units in $UNITS"
for template in "$SOURCE"/deploy/systemd/*; do
  sed -e "s#@APP@#$APP#g" -e "s#@VENV@#$VENV#g" -e "s#@USER@#$SERVICE_USER#g" \
    -e "s#@ENVFILE@#$ENVFILE#g" -e "s#@DATA_DIR@#$DATA#g" -e "s#@BACKUP_DIR@#$BACKUP#g" \
    "$template" >"$UNITS/$(basename "$template")"
done
timers=(plant-logbook-pm.timer plant-logbook-digest.timer plant-logbook-backup.timer
  plant-logbook-prune-signals.timer)
if grep -q '^LDAP_SERVER_URI=..*' "$ENVFILE"; then
  timers+=(plant-logbook-sync-directory.timer)
fi
if [ "$SYSTEMCTL" = 1 ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now plant-logbook.service "${timers[@]}"
  systemctl restart plant-logbook.service
  say "running: systemctl status plant-logbook"
else
  say "units written, not started (enable: plant-logbook.service ${timers[*]})"
fi
say "done. Make the first administrator: $PREFIX/bin/plant-logbook createsuperuser"
