"""Benchmarks: time every list, page, report and export on a generated plant of a given scale.

    make bench                                  # small, then medium, on SQLite
    make bench BENCH_SCALE=large                # the five-year company (generated once, minutes)
    DATABASE_URL=postgres://…/bench_medium make bench BENCH_SCALE=medium   # on PostgreSQL
    make bench BENCH_ARGS="--only export --rounds 3 --sql"

Scales (bench/plant.py generates them with bulk inserts, seeded, once per database file):
small is a plant of the demo's order, medium a year of 30 lines with 20,000 machines, large five
years of them (165,000 shifts, 1.6 million entries, 240,000 stops, 100,000 work orders,
500,000 inspections). The SQLite file is var/bench-<scale>.sqlite3; on PostgreSQL give each
scale its own database.

The scenarios are requested ``--rounds`` times each, interleaved (round 1 of every scenario,
then round 2…), after ``--warmup`` rounds that are not timed (with DATABASE_PREPARE_THRESHOLD=1
PostgreSQL prepares a query at its second run and settles its plan five runs later:
``--warmup 6`` measures a server that has been running), through Django's test client by a
supervisor of the big site; the median, the 95th percentile, the SQL query count, the size and
(exports) the peak memory are printed and written to bench/results/<date>-<database>-<scale>.json
and .md. This is a command, not a test.
"""

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SCALES = {
    "small": {
        "equipment": 300,
        "lines": 10,
        "readings": 10,
        "shift_days": 28,
        "shift_lines": 10,
        "entries": 6,
        "incident_days": 28,
        "incidents_per_machine": 6,
        "work_orders": 1_500,
        "work_order_days": 120,
        "inspections": 3_000,
    },
    "medium": {
        "equipment": 20_000,
        "lines": 100,
        "readings": 20,
        "shift_days": 365,
        "shift_lines": 30,
        "entries": 6,
        "incident_days": 365,
        "incidents_per_machine": 12,
        "work_orders": 40_000,
        "work_order_days": 365,
        "inspections": 50_000,
    },
    "large": {
        "equipment": 20_000,
        "lines": 100,
        "readings": 20,
        "shift_days": 5 * 365,
        "shift_lines": 30,
        "entries": 10,
        "incident_days": 5 * 365,
        "incidents_per_machine": 12,
        "work_orders": 100_000,
        "work_order_days": 5 * 365,
        "inspections": 500_000,
    },
}
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale", choices=SCALES, default=os.environ.get("BENCH_SCALE") or "medium"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--warmup", type=int, default=0, help="rounds requested first and not timed"
    )
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print each query's time (last round)")
    args = parser.parse_args()
    scale = SCALES[args.scale]
    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / f'bench-{args.scale}.sqlite3'}"
    )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    from bench import limits
    from bench.plant import (
        ensure_floor_now,
        ensure_incidents,
        ensure_inspections,
        ensure_plant,
        ensure_records,
        ensure_shifts,
        ensure_work_orders,
    )

    started = time.perf_counter()
    user, sample = ensure_plant(scale["equipment"], scale["readings"], scale["lines"])
    site = sample.line.area.site
    big_shift = ensure_shifts(
        site, user, scale["shift_days"], scale["shift_lines"], scale["entries"]
    )
    ensure_incidents(site, user, scale["incidents_per_machine"], scale["incident_days"])
    ensure_work_orders(site, user, scale["work_orders"], scale["work_order_days"])
    fill = ensure_inspections(site, user, scale["inspections"])
    ensure_records(site, user, fill)
    ensure_floor_now(site, user)
    generated = time.perf_counter() - started
    from logbook.core.db import refresh_statistics

    refresh_statistics()
    year = "start=2025-01-01T00:00:00Z&end=2027-01-01T00:00:00Z"
    site = sample.line.area.site
    import datetime

    from django.utils import timezone

    def days_ago(days):
        return (timezone.localdate(timezone=site.zone) - datetime.timedelta(days=days)).isoformat()

    from django.test import Client

    client = Client()
    client.force_login(user)
    # Inspection plans are the quality staff's to define.
    from django.contrib.auth.models import Group

    from logbook.accounts.models import User

    inspector, _ = User.objects.get_or_create(username="bench-quality")
    inspector.groups.set(Group.objects.filter(name="quality"))
    inspector.sites.set(user.sites.all())
    as_quality = Client()
    as_quality.force_login(inspector)
    # Each role's home page: a technician on the big shift's line, a planner.
    homes = {}
    for role, line in (("technician", big_shift.line), ("planner", None)):
        person, _ = User.objects.get_or_create(username=f"bench-{role}")
        person.groups.set(Group.objects.filter(name=role))
        person.sites.set(user.sites.all())
        if line is not None and person.home_line_id != line.pk:
            person.home_line = line
            person.save(update_fields=["home_line"])
        homes[role] = Client()
        homes[role].force_login(person)
    scenarios = [
        ("equipment list, page 1", "/equipment/"),
        ("equipment list, sorted by name, page 40", "/equipment/?sort=name&page=40"),
        ("equipment list, q=filler", "/equipment/?q=filler"),
        ("equipment list, status=down", "/equipment/?status=down"),
        ("equipment CSV export, one line", f"/equipment/?line_id={sample.line_id}&_export=csv"),
        ("equipment CSV export, everything", "/equipment/?_export=csv"),
        ("meter list (last reading each), page 1", "/equipment/meters/"),
        ("equipment page", f"/equipment/{sample.pk}/"),
        ("home page", "/"),
        ("technician's home page", "/", homes["technician"]),
        ("planner's home page", "/", homes["planner"]),
        ("quality inspector's home page", "/", as_quality),
        ("API equipment list, page 1", "/api/equipment/"),
        ("API meters (last reading each), page 1", "/api/meters/"),
        ("shift list, page 1", "/shifts/"),
        (
            "shift list, status=signed, one line",
            f"/shifts/?status=signed&line_id={big_shift.line_id}",
        ),
        ("shift list CSV export, one line", f"/shifts/?line_id={big_shift.line_id}&_export=csv"),
        ("shift page with 300 entries", f"/shifts/{big_shift.pk}/"),
        ("shift report with 300 entries", f"/shifts/{big_shift.pk}/report/"),
        ("API shift list, page 1", "/api/shifts/"),
        ("API log entries, page 1", "/api/log-entries/"),
        ("API log entries of one shift", f"/api/log-entries/?shift_id={big_shift.pk}"),
        ("downtime list, page 1", "/downtime/"),
        (
            "downtime list, unplanned, one line",
            f"/downtime/?kind=unplanned&line_id={sample.line_id}",
        ),
        ("downtime CSV export, one line", f"/downtime/?line_id={sample.line_id}&_export=csv"),
        ("downtime CSV export, everything", "/downtime/?_export=csv"),
        ("downtime XLSX export, everything", "/downtime/?_export=xlsx"),
        ("line page with reliability", f"/equipment/lines/{sample.line_id}/"),
        (
            "API reliability, one equipment",
            f"/api/reports/reliability/?equipment={sample.pk}&{year}",
        ),
        ("API reliability, one line", f"/api/reports/reliability/?line={sample.line_id}&{year}"),
        ("API downtime list, page 1", "/api/downtime/"),
        ("work order list, page 1", "/maintenance/"),
        ("work order list, overdue", "/maintenance/?overdue=true"),
        ("maintenance plan (4 weeks)", "/maintenance/plan/"),
        ("my work", "/maintenance/my-work/"),
        ("my work, technician", "/maintenance/my-work/", homes["technician"]),
        ("schedule list, page 1", "/maintenance/schedules/"),
        ("new schedule form", "/maintenance/schedules/add/"),
        ("new schedule form for one machine", f"/maintenance/schedules/add/?equipment={sample.pk}"),
        ("new inspection plan form", "/quality/plans/add/", as_quality),
        ("API work orders, page 1", "/api/work-orders/"),
        ("inspection list, page 1", "/quality/"),
        ("SPC page, last 30 days", f"/quality/characteristics/{fill.pk}/spc/"),
        (
            "SPC page, a whole year",
            f"/quality/characteristics/{fill.pk}/spc/?period_from=2025-11-25&period_to=2026-11-25",
        ),
        ("API inspections, page 1", "/api/inspections/"),
        ("nonconformance list, page 1", "/quality/nonconformances/"),
        ("API meter readings, page 1", "/api/meter-readings/"),
        # Reports: the same figures over a week and over two months (ratio ≈ 1: constant work
        # per report, whatever the period), for one line and for the whole site of 100 lines.
        ("report dashboard, one line, 7 days", f"/reports/?scope=line-{big_shift.line_id}"),
        (
            "report dashboard, one line, 60 days",
            f"/reports/?scope=line-{big_shift.line_id}&period=custom"
            f"&period_from={days_ago(60)}&period_to={days_ago(0)}",
        ),
        ("report dashboard, site, 7 days", f"/reports/?scope=site-{site.pk}"),
        (
            "report dashboard, site, 60 days",
            f"/reports/?scope=site-{site.pk}&period=custom"
            f"&period_from={days_ago(60)}&period_to={days_ago(0)}",
        ),
        (
            "API OEE, one line, per day, 2 years",
            f"/api/reports/oee/?line={big_shift.line_id}&{year}&group=day",
        ),
        ("API OEE, site, per week, 2 years", f"/api/reports/oee/?site={site.pk}&{year}&group=week"),
        (
            "API downtime Pareto, site, 2 years",
            f"/api/reports/downtime-pareto/?site={site.pk}&{year}",
        ),
        ("API PM compliance, site, 2 years", f"/api/reports/pm-compliance/?site={site.pk}&{year}"),
        (
            "API quality, one line, 2 years",
            f"/api/reports/quality/?line={fill.plan.line_id}&{year}",
        ),
    ]
    kpis = [
        (f"KPI {name}", *functions)
        for name, *functions in _kpis(site, sample.line, sample, fill.plan.line, fill)
    ]
    kpis = [kpi for kpi in kpis if args.only in kpi[0]]
    chosen = [(name, url, who[0] if who else client) for name, url, *who in scenarios]
    chosen = [scenario for scenario in chosen if args.only in scenario[0]]
    print(f"database: {connection.vendor}; scale: {args.scale}; rounds: {args.rounds}")
    results = {name: {"url": url, "times": []} for name, url, _who in chosen}

    def request(name, url, requester, keep):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = requester.get(url)
            body = response.getvalue()
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if not keep:
            return
        result = results[name]
        result["times"].append(elapsed)
        result["queries"] = len(queries)
        result["bytes"] = len(body)
        result["sql"] = [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]

    kpi_times = {}
    # Interleaved: round 1 of every scenario, then round 2…, so that a slow moment of the
    # machine spreads over all of them instead of spoiling one.
    # Warm-up rounds (negative numbers) are requested and not kept: a server's connection that
    # has run its queries before (PostgreSQL then has them prepared, and planned once).
    for round_number in range(-args.warmup, args.rounds):
        for name, url, requester in chosen:
            # A whole export takes seconds: one round says enough.
            if round_number != 0 and "export, everything" in name:
                continue
            request(name, url, requester, keep=round_number >= 0)
        for name, app, limit, agrees in kpis:
            # The figure as the application computes it, then by its hand-written limit.
            now = timezone.now()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                figures = app(now)
            middle = time.perf_counter()
            found = limits.run(limit(now))
            if round_number < 0:
                continue
            times = kpi_times.setdefault(name, {"times": [], "limit_times": []})
            times["times"].append((middle - start) * 1000)
            times["limit_times"].append((time.perf_counter() - middle) * 1000)
            times.update(queries=len(queries), agrees=agrees(figures, found), url="", bytes=0)
    for name, url, requester in chosen:
        # Exports: the memory Python allocated at its peak while one was made and sent (a
        # round of its own, as tracing slows everything down).
        if "export" in name:
            tracemalloc.start()
            for _piece in requester.get(url).streaming_content:
                pass
            results[name]["peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
            tracemalloc.stop()
    results.update(kpi_times)
    rows = []
    for name, result in results.items():
        times = sorted(result["times"])
        row = {
            "scenario": name,
            "url": result["url"],
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
            "queries": result["queries"],
            "bytes": result["bytes"],
            "peak_mb": result.get("peak_mb"),
        }
        if "limit_times" in result:
            row["limit_ms"] = round(statistics.median(result["limit_times"]), 1)
            row["ratio_to_limit"] = round(row["median_ms"] / max(row["limit_ms"], 0.1), 2)
            row["agrees"] = result["agrees"]
        rows.append(row)
        if args.sql:
            for took, sql in result["sql"]:
                print(f"    {took:8.1f} ms  {sql[:160]}")
    table = _markdown(rows)
    print(table)
    if not args.only:
        _write_results(args, rows, table, generated)


def _kpis(site, line, machine, quality_line, characteristic):
    """[(name, the application's figures, its hand-written limit's (query, params), check that
    both agree)], each a function of now, over two years up to now."""
    import datetime

    from bench import limits
    from logbook.core.routing import reading_connection
    from logbook.quality.selectors import capability_and_other_limits
    from logbook.reports.downtime import pareto
    from logbook.reports.maintenance import pm_compliance
    from logbook.reports.oee import oee
    from logbook.reports.quality import capability_table, first_pass_yield
    from logbook.reports.selectors import reliability

    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    year = (
        datetime.datetime(2025, 11, 25, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC),
    )
    family = characteristic.plan._meta.get_field("family").get_db_prep_value(
        characteristic.plan.family, reading_connection()
    )

    def quality(now, **scope):
        figures = first_pass_yield(start=start, end=now, now=now, **scope)
        return {**figures, "characteristics": capability_table(start=start, end=now, **scope)}

    def kpi(name, app, limit, agrees, **scope):
        return (
            name,
            lambda now: app(start=start, end=now, now=now, **scope),
            lambda now: limit(start=start, end=now, now=now, **_ids(scope)),
            agrees,
        )

    return [
        kpi(
            "reliability, one equipment",
            reliability,
            lambda **kw: limits.reliability(line=machine.line_id, **kw),
            limits.reliability_agrees,
            equipment=machine,
        ),
        kpi(
            "reliability, one line",
            reliability,
            limits.reliability,
            limits.reliability_agrees,
            line=line,
        ),
        kpi("OEE, one line", oee, limits.oee, limits.oee_agrees, line=line),
        kpi("OEE, site", oee, limits.oee, limits.oee_agrees, site=site),
        kpi("downtime Pareto, site", pareto, limits.pareto, limits.pareto_agrees, site=site),
        kpi(
            "PM compliance, site",
            pm_compliance,
            lambda **kw: limits.pm_compliance(zone=site.zone, **kw),
            limits.pm_compliance_agrees,
            site=site,
        ),
        (
            "quality (first-pass yield, capability), one line",
            lambda now: quality(now, line=quality_line),
            lambda now: limits.quality(start=start, end=now, now=now, line=quality_line.pk),
            limits.quality_agrees,
        ),
        (
            # The SPC page's figures over a whole year (the "SPC page, a whole year" scenario).
            "capability of one characteristic, a year",
            lambda now: capability_and_other_limits(characteristic, *year),
            lambda now: limits.capability(
                start=year[0], end=year[1], now=now, family=family, name=characteristic.name
            ),
            limits.capability_agrees,
        ),
    ]


def _ids(scope):
    return {key: value.pk for key, value in scope.items()}


def _markdown(rows) -> str:
    lines = [
        "| scenario | median ms | p95 ms | queries | bytes | peak MB | limit ms | × limit |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        peak = "" if row["peak_mb"] is None else f"{row['peak_mb']:.1f}"
        limit = ratio = ""
        if "limit_ms" in row:
            limit = f"{row['limit_ms']:.1f}"
            ratio = f"{row['ratio_to_limit']:.2f}" + ("" if row["agrees"] else " (differs!)")
        lines.append(
            f"| {row['scenario']} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries']} | {row['bytes']:,} | {peak} | {limit} | {ratio} |"
        )
    return "\n".join(lines)


def _write_results(args, rows, table, generated):
    """bench/results/<date>-<database>-<scale>.json and .md, with the machine and the data."""
    import datetime
    import platform

    from django.db import connection

    from logbook.downtime.models import DowntimeIncident
    from logbook.equipment.models import Equipment
    from logbook.maintenance.models import WorkOrder
    from logbook.quality.models import Inspection, Measurement
    from logbook.shifts.models import LogEntry, Shift

    counts = {
        str(model._meta.verbose_name_plural): model._base_manager.count()
        for model in (
            Equipment,
            Shift,
            LogEntry,
            DowntimeIncident,
            WorkOrder,
            Inspection,
            Measurement,
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        version = cursor.fetchone()[0]
    machine = {
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": f"{connection.vendor} {version}",
        # PostgreSQL: after how many runs a connection keeps a query prepared (0: never).
        "prepare_threshold": connection.settings_dict["OPTIONS"].get("prepare_threshold") or 0,
    }
    stem = f"{datetime.date.today():%Y-%m-%d}-{connection.vendor}-{args.scale}"
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    report = {
        "scale": args.scale,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "machine": machine,
        "rows": counts,
        "generation_seconds": round(generated, 1),
        "scenarios": rows,
    }
    (folder / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    header = (
        f"# Bench {args.scale}, {machine['database']}, {datetime.date.today():%Y-%m-%d}\n\n"
        f"Machine: {machine['cpus']} CPUs, Python {machine['python']}. Rows: "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        + f". Rounds: {args.rounds} (interleaved), after {args.warmup} untimed."
        + (
            f" Prepared statements after {machine['prepare_threshold']} runs of a query.\n\n"
            if machine["prepare_threshold"]
            else "\n\n"
        )
    )
    (folder / f"{stem}.md").write_text(header + table + "\n")
    print(f"written: bench/results/{stem}.json and .md")


if __name__ == "__main__":
    main()
