"""Time-range partitioning or BRIN for the append-only tables, measured on PostgreSQL.

Copies the log entries of a bench database (``make bench`` made it) three ways into a scratch
schema, times the same reads and a batch of appends on each, prints a Markdown table and writes
it to ``bench/results/<date>-postgresql-<scale>-partitions.md`` with the sizes:

- **btree**: a plain table with the B-tree on (occurred_at, id) the application has;
- **brin**: a plain table with a BRIN index on occurred_at instead (rows arrive in time order);
- **partitioned**: one partition per year (range on occurred_at), each with that B-tree.

    DATABASE_URL=postgres://…/bench_large .venv/bin/python bench/partitions.py --scale large

The scratch schema is dropped at the end. Not a test: a measurement for docs/performance.md.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCHEMA = "scratch_partitions"
COLUMNS = "id, shift_id, author_id, category, equipment_id, text, occurred_at, created_at"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE") or "large")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL to a bench database.")
    cursor = connection.cursor()
    cursor.execute("SELECT min(occurred_at), max(occurred_at), count(*) FROM shifts_logentry")
    first, last, rows = cursor.fetchone()
    print(f"{rows:,} log entries from {first:%Y-%m-%d} to {last:%Y-%m-%d}", flush=True)
    cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    source = f"SELECT {COLUMNS} FROM shifts_logentry ORDER BY occurred_at, id"
    definition = (
        "(id bigint NOT NULL, shift_id bigint NOT NULL, author_id bigint, category varchar(20), "
        "equipment_id bigint, text text, occurred_at timestamptz NOT NULL, "
        "created_at timestamptz NOT NULL)"
    )
    built = {}
    for variant in ("btree", "brin", "partitioned"):
        start = time.perf_counter()
        table = f"{SCHEMA}.{variant}"
        if variant == "partitioned":
            cursor.execute(f"CREATE TABLE {table} {definition} PARTITION BY RANGE (occurred_at)")
            for year in range(first.year, last.year + 2):
                cursor.execute(
                    f"CREATE TABLE {table}_{year} PARTITION OF {table} FOR VALUES FROM "
                    f"('{year}-01-01') TO ('{year + 1}-01-01')"
                )
        else:
            cursor.execute(f"CREATE TABLE {table} {definition}")
        cursor.execute(f"INSERT INTO {table} {source}")
        if variant == "brin":
            cursor.execute(f"CREATE INDEX ON {table} USING brin (occurred_at)")
        else:
            cursor.execute(f"CREATE INDEX ON {table} (occurred_at, id)")
        # Every variant keeps the index by shift (a shift's page reads its entries by it).
        cursor.execute(f"CREATE INDEX ON {table} (shift_id, occurred_at)")
        cursor.execute(f"VACUUM ANALYZE {table}")
        built[variant] = time.perf_counter() - start
        print(f"built {variant} in {built[variant]:.1f} s", flush=True)
    week_end = last - datetime.timedelta(days=30)
    reads = {
        "newest 25 (the list's page 1)": (
            "SELECT id FROM {t} ORDER BY occurred_at DESC, id DESC LIMIT 25",
            [],
        ),
        "one week, counted by category": (
            "SELECT category, count(*) FROM {t} WHERE occurred_at >= %s AND occurred_at < %s "
            "GROUP BY category",
            [week_end - datetime.timedelta(days=7), week_end],
        ),
        "one month, every row": (
            "SELECT id, text FROM {t} WHERE occurred_at >= %s AND occurred_at < %s",
            [week_end - datetime.timedelta(days=30), week_end],
        ),
        "one year, counted": (
            "SELECT count(*) FROM {t} WHERE occurred_at >= %s AND occurred_at < %s",
            [week_end - datetime.timedelta(days=365), week_end],
        ),
        "one shift's entries": (
            "SELECT id FROM {t} WHERE shift_id = (SELECT max(shift_id) FROM {t}) "
            "ORDER BY occurred_at",
            [],
        ),
    }
    times = {(name, variant): [] for name in reads for variant in built}
    for _round in range(args.rounds):
        for name, (query, params) in reads.items():
            for variant in built:
                start = time.perf_counter()
                cursor.execute(query.format(t=f"{SCHEMA}.{variant}"), params)
                cursor.fetchall()
                times[(name, variant)].append((time.perf_counter() - start) * 1000)
    # 10,000 new entries of today (a busy day's inserts), made once, then appended to each.
    cursor.execute(
        f"CREATE TABLE {SCHEMA}.today AS SELECT id + 100000000 AS id, shift_id, author_id, "
        f"category, equipment_id, text, %s::timestamptz AS occurred_at, created_at "
        f"FROM {SCHEMA}.btree ORDER BY occurred_at DESC LIMIT 10000",
        [last],
    )
    appends = {}
    for variant in built:
        start = time.perf_counter()
        cursor.execute(f"INSERT INTO {SCHEMA}.{variant} SELECT * FROM {SCHEMA}.today")
        appends[variant] = (time.perf_counter() - start) * 1000
    sizes = {}
    for variant in built:
        cursor.execute(
            "SELECT coalesce(sum(pg_indexes_size(c.oid)), 0), "
            "coalesce(sum(pg_table_size(c.oid)), 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s",
            [SCHEMA, f"{variant}%"],
        )
        indexes, table = cursor.fetchone()
        sizes[variant] = {
            "index_mb": round(float(indexes) / 1e6, 1),
            "table_mb": round(float(table) / 1e6, 1),
        }
    cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    variants = list(built)
    lines = [
        "| read (median ms) | " + " | ".join(variants) + " |",
        "| --- |" + " ---: |" * len(variants),
    ]
    for name in reads:
        cells = [f"{statistics.median(times[(name, v)]):.1f}" for v in variants]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, cells in (
        ("append 10,000 entries", [f"{appends[v]:.0f}" for v in variants]),
        ("index size MB", [f"{sizes[v]['index_mb']}" for v in variants]),
        ("table size MB", [f"{sizes[v]['table_mb']}" for v in variants]),
    ):
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    cursor.execute("SHOW server_version")
    version = cursor.fetchone()[0]
    stem = f"{datetime.date.today():%Y-%m-%d}-postgresql-{args.scale}-partitions"
    folder = ROOT / "bench" / "results"
    report = {
        "scale": args.scale,
        "rows": rows,
        "postgresql": version,
        "rounds": args.rounds,
        "build_seconds": {v: round(s, 1) for v, s in built.items()},
        "reads_ms": {
            name: {v: round(statistics.median(times[(name, v)]), 2) for v in variants}
            for name in reads
        },
        "append_10000_ms": {v: round(ms, 1) for v, ms in appends.items()},
        "sizes": sizes,
    }
    (folder / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (folder / f"{stem}.md").write_text(
        f"# Log entries three ways, PostgreSQL {version}, {rows:,} rows ({args.scale})\n\n"
        f"Rounds: {args.rounds}; a scratch copy of the bench's log entries.\n\n{table}\n"
    )
    print(f"written: bench/results/{stem}.json and .md")


if __name__ == "__main__":
    main()
