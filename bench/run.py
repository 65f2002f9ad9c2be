"""Benchmarks: time the list pages, exports and API on a large generated plant.

    make bench                              # SQLite file var/bench.sqlite3, 20,000 equipment
    make bench BENCH_ARGS="--equipment 100000 --rounds 7"
    DATABASE_URL=postgres://… make bench    # the same on PostgreSQL

The plant is generated once per database (bulk inserts) and kept for the next run. Each scenario
is requested ``--rounds`` times through Django's test client by a supervisor of the big site;
the median and the SQL query count are printed. This is a command, not a test: figures go in
the issue notes.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--equipment", type=int, default=20_000)
    parser.add_argument("--readings-per-meter", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print each query's time (last round)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    from bench.plant import (
        ensure_incidents,
        ensure_inspections,
        ensure_plant,
        ensure_shifts,
        ensure_work_orders,
    )

    user, sample = ensure_plant(args.equipment, args.readings_per_meter)
    big_shift = ensure_shifts(sample.line.area.site, user)
    ensure_incidents(sample.line.area.site, user)
    ensure_work_orders(sample.line.area.site, user)
    fill = ensure_inspections(sample.line.area.site, user)
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
        ("API log entries of one shift", f"/api/log-entries/?shift_id={big_shift.pk}"),
        ("downtime list, page 1", "/downtime/"),
        (
            "downtime list, unplanned, one line",
            f"/downtime/?kind=unplanned&line_id={sample.line_id}",
        ),
        ("downtime CSV export, one line", f"/downtime/?line_id={sample.line_id}&_export=csv"),
        ("downtime CSV export, everything", "/downtime/?_export=csv"),
        ("downtime XLSX export, everything", "/downtime/?_export=xlsx"),
        ("equipment page with reliability", f"/equipment/{sample.pk}/"),
        ("line page with reliability (200 machines)", f"/equipment/lines/{sample.line_id}/"),
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
        ("new schedule form", "/maintenance/schedules/add/"),
        ("new schedule form for one machine", f"/maintenance/schedules/add/?equipment={sample.pk}"),
        ("new inspection plan form", "/quality/plans/add/", as_quality),
        ("API work orders, page 1", "/api/work-orders/"),
        ("inspection list, page 1", "/quality/"),
        ("SPC page, last 30 days (2,880 values)", f"/quality/characteristics/{fill.pk}/spc/"),
        (
            "SPC page, a whole year (35,000 values)",
            f"/quality/characteristics/{fill.pk}/spc/?period_from=2025-11-25&period_to=2026-11-25",
        ),
        ("API inspections, page 1", "/api/inspections/"),
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
    print(f"database: {connection.vendor}; equipment: {args.equipment:,}; rounds: {args.rounds}")
    print(
        f"{'scenario':45} {'median ms':>10} {'max ms':>8} {'queries':>8} {'bytes':>10}"
        f" {'peak MB':>8}"
    )
    for name, url, *who in scenarios:
        if args.only not in name:
            continue
        requester = who[0] if who else client
        times = []
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = requester.get(url)
                body = response.getvalue()
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        # Exports: the memory Python allocated at its peak while one was made and sent (a
        # round of its own, as tracing slows everything down).
        peak = ""
        if "export" in name:
            tracemalloc.start()
            for _piece in requester.get(url).streaming_content:
                pass
            peak = f"{tracemalloc.get_traced_memory()[1] / 1e6:8.1f}"
            tracemalloc.stop()
        print(
            f"{name:45} {statistics.median(times):10.1f} {max(times):8.1f} "
            f"{len(queries):8d} {len(body):10,d} {peak:>8}"
        )
        if args.sql:
            for query in queries.captured_queries:
                print(f"    {float(query['time']) * 1000:8.1f} ms  {query['sql'][:160]}")


if __name__ == "__main__":
    main()
