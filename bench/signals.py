"""`make bench-signals`: machine signals at a plant's pace, over HTTP, on SQLite and PostgreSQL.

The demo plant is served by gunicorn (4 workers) with --machines more machines on one line and
--gateways gateways sharing them. Each gateway posts, every second, one signal per machine of
its share: counter values, and every few minutes a stop of 30 s to 4 min (so micro-stops and
incidents are made as they go). For --seconds the run keeps that pace and records, per batch,
the delay from sending to stored (the endpoint answers once the batch is committed); then, for
--ceiling seconds, the gateways post 500-signal batches back to back: the most it takes.
Afterwards the stored signals are counted: none may be lost.

    make bench-signals                                   # 200 machines, 300 s, both databases
    make bench-signals SIGNALS_ARGS="--seconds 30 --databases sqlite"

Figures: var/signals-bench.json, and a Markdown table on stdout (docs/signals.md).
"""

import argparse
import datetime
import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import Postgres  # noqa: E402
from bench.served import manage, served_plant  # noqa: E402

SETUP = """
import json
from logbook.equipment.models import Equipment, EquipmentClass, Line
from logbook.telemetry.models import Gateway
line = Line.objects.order_by("pk").first()
kind = EquipmentClass.objects.order_by("pk").first()
Equipment.objects.bulk_create(
    Equipment(asset_tag=f"SIG-{n:04d}", name=f"Signal bench machine {n}", line=line,
              equipment_class=kind, criticality="C")
    for n in range(MACHINES))
keys = [Gateway.issue(site=line.area.site, name=f"bench {g}")[1] for g in range(GATEWAYS)]
print(json.dumps({"keys": keys, "tags": [f"SIG-{n:04d}" for n in range(MACHINES)]}))
"""
COUNT = """
from logbook.telemetry.models import Signal, MicroStop, RejectedSignal
from logbook.downtime.models import DowntimeIncident
import json
print(json.dumps({"signals": Signal.objects.filter(equipment__asset_tag__startswith="SIG-").count(),
    "rejected": RejectedSignal.objects.count(),
    "micro_stops": MicroStop.objects.filter(equipment__asset_tag__startswith="SIG-").count(),
    "incidents": DowntimeIncident.objects.filter(source="machine",
        equipment__asset_tag__startswith="SIG-").count()}))
"""


def post(base, key, signals):
    request = urllib.request.Request(
        f"{base}/api/signals/",
        data=json.dumps(signals).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class Machine:
    """One machine's signal each second: its counter, and now and then a stop."""

    def __init__(self, tag, number):
        self.tag, self.total = tag, 1000 * number
        self.stop_at = 60 + (number * 7) % 240  # seconds into the run
        self.stop_for = 30 + (number * 13) % 210

    def signal(self, second, at):
        if second == self.stop_at:
            return {"asset_tag": self.tag, "at": at, "kind": "state", "value": "stopped"}
        if second == self.stop_at + self.stop_for:
            self.stop_at = second + 240
            return {"asset_tag": self.tag, "at": at, "kind": "state", "value": "running"}
        if second == 0:
            return {"asset_tag": self.tag, "at": at, "kind": "state", "value": "running"}
        self.total += 5
        return {"asset_tag": self.tag, "at": at, "kind": "count", "value": self.total}


def paced(base, key, machines, seconds, delays, lags, sent, errors):
    start = time.monotonic()
    for second in range(seconds):
        due = start + second
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        lags.append(max(0.0, time.monotonic() - due))
        at = datetime.datetime.now(datetime.UTC).isoformat()
        batch = [machine.signal(second, at) for machine in machines]
        began = time.monotonic()
        try:
            answer = post(base, key, batch)
            delays.append(time.monotonic() - began)
            sent[0] += answer["stored"] + answer["duplicates"]
        except OSError as error:
            errors.append(str(error))


def flat_out(base, key, tag, until, stored, errors):
    number = 0
    while time.monotonic() < until:
        at = datetime.datetime.now(datetime.UTC)
        batch = [
            {
                "asset_tag": tag,
                "at": (at - datetime.timedelta(microseconds=n)).isoformat(),
                "kind": "count",
                "value": number * 500 + n,
            }
            for n in range(500)
        ]
        number += 1
        try:
            stored[0] += post(base, key, batch)["stored"]
        except OSError as error:
            errors.append(str(error))


def run(database, url, machines, gateways, seconds, ceiling):
    with served_plant(url, workers=4) as (base, _facts, env, _server):
        setup = SETUP.replace("MACHINES", str(machines)).replace("GATEWAYS", str(gateways))
        made = json.loads(manage(env, "shell", "-c", setup).strip().splitlines()[-1])
        shares = [
            [Machine(tag, n) for n, tag in enumerate(made["tags"]) if n % gateways == g]
            for g in range(gateways)
        ]
        delays, lags, errors, sent = [], [], [], [0]
        threads = [
            threading.Thread(
                target=paced, args=(base, key, share, seconds, delays, lags, sent, errors)
            )
            for key, share in zip(made["keys"], shares, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counted = json.loads(manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
        stored, until = [0], time.monotonic() + ceiling
        flat = [
            threading.Thread(target=flat_out, args=(base, key, tag, until, stored, errors))
            for key, tag in zip(made["keys"][:4], made["tags"][:4], strict=False)
        ]
        began = time.monotonic()
        for thread in flat:
            thread.start()
        for thread in flat:
            thread.join()
        took = time.monotonic() - began
    delays.sort()
    return {
        "database": database,
        "machines": machines,
        "gateways": gateways,
        "seconds": seconds,
        "signals_sent": sent[0],
        "signals_stored": counted["signals"],
        "lost": sent[0] - counted["signals"],
        "micro_stops": counted["micro_stops"],
        "incidents": counted["incidents"],
        "batch_delay_median_ms": round(statistics.median(delays) * 1000, 1) if delays else None,
        "batch_delay_p95_ms": round(delays[int(len(delays) * 0.95) - 1] * 1000, 1)
        if delays
        else None,
        "late_sends": sum(lag > 1.0 for lag in lags),
        "errors": len(errors),
        "ceiling_signals_per_second": round(stored[0] / took),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--gateways", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--ceiling", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    results = []
    for database in args.databases.split(","):
        if database == "sqlite":
            path = ROOT / "var" / "signals-bench.sqlite3"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            results.append(
                run(database, url, args.machines, args.gateways, args.seconds, args.ceiling)
            )
        else:
            postgres = Postgres()
            try:
                results.append(
                    run(
                        database,
                        postgres.url,
                        args.machines,
                        args.gateways,
                        args.seconds,
                        args.ceiling,
                    )
                )
            finally:
                postgres.remove()
    (ROOT / "var" / "signals-bench.json").write_text(json.dumps(results, indent=2))
    print(
        "| database | machines × 1/s | seconds | sent | stored | lost | micro-stops | incidents "
        "| batch delay median / p95 (ms) | late sends | errors | ceiling (signals/s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['database']} | {r['machines']} | {r['seconds']} | {r['signals_sent']} "
            f"| {r['signals_stored']} | {r['lost']} | {r['micro_stops']} | {r['incidents']} "
            f"| {r['batch_delay_median_ms']} / {r['batch_delay_p95_ms']} | {r['late_sends']} "
            f"| {r['errors']} | {r['ceiling_signals_per_second']} |"
        )
    failed = [
        r for r in results if r["lost"] or r["errors"] or (r["batch_delay_p95_ms"] or 0) > 1000
    ]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
