#!/usr/bin/env bash
# What CI proves of deploy/: install.sh turns this machine into a running logbook on the given
# PostgreSQL database (twice: idempotent), every unit passes systemd-analyze verify, and the web
# server started with the unit's own command line answers /readyz.
#   deploy/check-install.sh postgres://user@127.0.0.1:5433/install_check
set -euo pipefail
database_url="${1:?give a PostgreSQL URL whose database exists and is empty}"
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(mktemp -d /tmp/install-check.XXXXXX)"
chmod 755 "$root"
args=(--prefix "$root/opt" --etc "$root/etc" --data "$root/data" --backup "$root/backup"
  --units "$root/units" --user plant-logbook --database-url "$database_url" --http
  --host localhost --no-systemctl)

echo "== install.sh into $root"
"$here/deploy/install.sh" "${args[@]}"
echo "== install.sh again (idempotent)"
"$here/deploy/install.sh" "${args[@]}"

echo "== systemd-analyze verify"
# The units name the installed files; verify reads them from the unit directory.
(cd "$root/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
  "$root"/units/*.service "$root"/units/*.timer)

echo "== the web server, with the unit's ExecStart, as its user"
execstart="$(sed -n 's/^ExecStart=//p' "$root/units/plant-logbook.service")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
metrics_dir="$root/metrics"
install -d -o plant-logbook "$metrics_dir"
# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
(cd "$root/opt/app" && runuser -u plant-logbook -- env PROMETHEUS_MULTIPROC_DIR="$metrics_dir" \
  "$root/opt/venv/bin/python" deploy/with_env.py "$root/etc/plant-logbook.env" \
  /usr/bin/env GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=2 $execstart) &
server=$!
trap 'kill "$server" 2>/dev/null || true; pkill -u plant-logbook -f gunicorn || true' EXIT
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >"$root/readyz" 2>/dev/null; then break; fi
  sleep 1
done
cat "$root/readyz"; echo
grep -q '"ready": true' "$root/readyz"
curl -fsS -o /dev/null "http://127.0.0.1:$port/accounts/login/"
token="$(sed -n 's/^METRICS_TOKEN=//p' "$root/etc/plant-logbook.env")"
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" | grep -q '^logbook_http_requests_total'
echo "install check passed"
