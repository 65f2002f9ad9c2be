"""`make load`: the floor at its busiest, against gunicorn, on SQLite and on PostgreSQL.

30 technicians post log entries, production counts and machine stops while 5 supervisors read
lists, for 2 minutes (locust, headless, loopback only; it stops by itself). During the
PostgreSQL run the database is stopped for a few seconds and started again, and a gunicorn
worker is killed with SIGKILL. Afterwards every write the server accepted is looked up in the
database. The run fails on any 5xx but the 503s of the database's outage, on a missing write,
or if the app does not recover by itself.

    make load                                  # both databases, 120 s each
    make load LOAD_ARGS="--seconds 30 --databases sqlite"

PostgreSQL: a throwaway cluster is made with the machine's initdb (Debian: apt-get install
postgresql), on a free loopback port, and removed afterwards. Figures: var/load-summary.json.
"""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.served import call, free_port, manage, served_plant  # noqa: E402

COUNT = """
import json, sys
from logbook.downtime.models import DowntimeIncident
from logbook.shifts.models import LogEntry, ProductionRecord
accepted = json.load(open(sys.argv[-1] if False else "{path}"))
found = {{
    "log-entries": LogEntry.objects.filter(pk__in=accepted.get("log-entries", [])).count(),
    "production-records": ProductionRecord.objects.filter(
        pk__in=accepted.get("production-records", [])).count(),
    "downtime": DowntimeIncident.objects.filter(pk__in=accepted.get("downtime", [])).count(),
    "ended": DowntimeIncident.objects.filter(
        pk__in=accepted.get("ended", []), ended_at__isnull=False).count(),
}}
print(json.dumps(found))
"""


class Postgres:
    """A throwaway PostgreSQL cluster on a loopback port, which the run may stop and start."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found and not shutil.which("initdb"):
            raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql).")
        self.bin = found[-1].parent if found else Path(shutil.which("initdb")).parent
        self.root = Path(tempfile.mkdtemp(prefix="load-pg."))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            f"{self.root}/data",
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.start()
        subprocess.run(
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-c",
                "CREATE ROLE app LOGIN CREATEDB PASSWORD 'app'",
                "-c",
                "CREATE DATABASE app OWNER app",
            ],
            check=True,
        )
        self.url = f"postgres://app:app@127.0.0.1:{self.port}/app"

    def _run(self, tool, *args):
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, cwd="/", stdout=subprocess.DEVNULL)

    def start(self):
        self._run(
            "pg_ctl",
            "-D",
            f"{self.root}/data",
            "-l",
            f"{self.root}/log",
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}",
            "start",
        )

    def stop(self):
        self._run("pg_ctl", "-D", f"{self.root}/data", "-m", "fast", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _faults(seconds, postgres, server, log):
    """Stop the database for a few seconds, then kill a worker (PostgreSQL run only)."""
    time.sleep(seconds * 0.35)
    log.append({"at": time.monotonic(), "fault": "database stopped"})
    postgres.stop()
    time.sleep(5)
    postgres.start()
    log.append({"at": time.monotonic(), "fault": "database started again"})
    time.sleep(seconds * 0.25)
    workers = _workers(server.pid)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
        log.append({"at": time.monotonic(), "fault": f"worker {workers[0]} killed (SIGKILL)"})


def _healthy(base: str, tries: int = 6) -> bool:
    """The health check answers 200 within ``tries`` × 10 s."""
    for _ in range(tries):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                if response.status == 200:
                    return True
        except OSError as error:
            print(f"healthz: {error}", file=sys.stderr)
        time.sleep(1)
    return False


def _read_stats(prefix: Path) -> dict:
    stats = {}
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "per_s": float(row["Requests/s"] or 0),
            }
    failures = []
    with open(f"{prefix}_failures.csv") as handle:
        failures = [
            {"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(handle)
        ]
    return {"requests": stats, "failures": failures}


def run(database: str, url: str, seconds: int, users: int, postgres=None) -> dict:
    out = ROOT / "var" / f"load-{database}"
    accepted_file = ROOT / "var" / f"load-{database}-accepted.json"
    with served_plant(url, workers=4) as (base, facts, env, server):
        load_env = dict(env)
        load_env.update(
            LOAD_TECH_TOKEN=facts["tech"],
            LOAD_SUPERVISOR_TOKEN=facts["supervisor"],
            LOAD_SHIFT=str(facts["shift"]),
            LOAD_MACHINES=",".join(str(pk) for pk in facts["machines"]),
            LOAD_ACCEPTED=str(accepted_file),
        )
        faults = []
        if postgres is not None:
            threading.Thread(
                target=_faults, args=(seconds, postgres, server, faults), daemon=True
            ).start()
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                str(out),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=load_env,
            check=False,
        )
        for fault in faults:
            fault["at"] = round(fault["at"] - started, 1)
        # Recovered by itself: the health check and a write answer as usual.
        healthy = _healthy(base)
        status, _ = call(
            "POST",
            f"{base}/api/log-entries/",
            facts["tech"],
            {"shift": facts["shift"], "category": "note", "text": "after the load"},
        )
        result = _read_stats(out)
        accepted = json.loads(accepted_file.read_text())
        found = json.loads(
            manage(env, "shell", "-c", COUNT.format(path=accepted_file)).strip().splitlines()[-1]
        )
    result.update(
        database=database,
        seconds=seconds,
        users=users,
        faults=faults,
        recovered=healthy and status == 201,
        accepted={kind: len(ids) for kind, ids in accepted.items()},
        found=found,
    )
    return result


def verdict(result: dict) -> list[str]:
    problems = []
    for failure in result["failures"]:
        error = failure["error"]
        if "503" in error and result["faults"]:
            continue  # the database's outage: a clean 503, as it must be
        killed = any("SIGKILL" in fault["fault"] for fault in result["faults"])
        if error.endswith(": 0") and killed:
            continue  # the connection of a request on the killed worker: no answer, no write
        problems.append(f"{failure['count']} × {failure['name']}: {error}")
    for kind, count in result["accepted"].items():
        if result["found"].get(kind) != count:
            problems.append(f"{kind}: {count} accepted, {result['found'].get(kind)} found")
    if not result["recovered"]:
        problems.append("the app did not recover by itself")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=35, help="30 technicians, 5 supervisors")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    results, problems = [], []
    for database in args.databases.split(","):
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="load-sqlite."))
            result = run(
                "sqlite", f"sqlite:///{folder / 'plant.sqlite3'}", args.seconds, args.users
            )
            shutil.rmtree(folder, ignore_errors=True)
        else:
            postgres = Postgres()
            try:
                result = run("postgres", postgres.url, args.seconds, args.users, postgres)
            finally:
                postgres.remove()
        results.append(result)
        found = verdict(result)
        problems += [f"{database}: {problem}" for problem in found]
        total = result["requests"].get("Aggregated", {})
        print(
            f"{database}: {total.get('requests')} requests, {total.get('per_s')}/s, "
            f"p50 {total.get('p50_ms')} ms, p95 {total.get('p95_ms')} ms; "
            f"accepted {result['accepted']}, found {result['found']}; faults {result['faults']}; "
            f"{'ok' if not found else 'FAILED'}"
        )
    (ROOT / "var" / "load-summary.json").write_text(json.dumps(results, indent=2))
    if problems:
        print("\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
