"""The limit each report is held against: its figures by one hand-written SQL query.

Each limit is written apart from the application's code (only the dialect's spelling of epoch
seconds, GREATEST and LEAST and of a local day is shared) and by the fastest formulation known:

- time lost on a line (reliability, OEE) by a **sweep**: every shift and every stop becomes a
  start and an end event, one sort by time, running sums say at each instant whether the line is
  scheduled and whether it is down — no join of stops with shifts at all;
- first-pass yield by numbering each unit's inspections (one window), not by asking for each
  inspection whether an earlier one exists;
- the rest (Pareto, PM compliance, capability) by one grouped scan.

The bench times each limit in the same rounds as the report it bounds, and checks that both give
the same figures (``agrees``): a limit that computed something else would prove nothing. The OEE
limit computes the time lost to all stops together; the application also splits it between
planned and unplanned stops (the first begun takes an overlap), which is at least as much work,
so the split is not compared, only the sums.
"""

import math

from logbook.reports import sql

CURRENT = "NOT EXISTS (SELECT 1 FROM {table} x WHERE x.amends_id = {alias}.id)"


def _lines_of(scope, column):
    """SQL condition that ``column`` is a line of the scope ({"line": id} or {"site": id})."""
    if "line" in scope:
        return f"{column} = %(line)s"
    return (
        f"{column} IN (SELECT l.id FROM equipment_line l JOIN equipment_area a "
        "ON a.id = l.area_id WHERE a.site_id = %(site)s)"
    )


def _period(start, end, now, **extra):
    return {
        "s0": start.timestamp(),
        "e0": end.timestamp(),
        "now": now.timestamp(),
        "start": sql.adapt(start),
        "end": sql.adapt(end),
        **extra,
    }


def _sweep(events: str, partition: str) -> str:
    """Running sums over ``events`` (columns k, t, ds, dd, dp): per instant, how many shifts,
    stops and planned stops are on; ``nxt`` is the next instant of the same partition."""
    return f"""
        run AS (
            SELECT t, SUM(ds) OVER w AS s, SUM(dd) OVER w AS d, SUM(dp) OVER w AS p,
                   LEAD(t) OVER w AS nxt
            FROM ({events}) ev
            WINDOW w AS (PARTITION BY {partition} ORDER BY t ROWS UNBOUNDED PRECEDING)
        )"""


def reliability(*, start, end, now, line, equipment=None):
    """Scheduled, down (any stop), planned-down seconds, failures and their seconds."""
    epoch, greatest, least = sql.dialect()
    scope = "q.id = %(equipment)s" if equipment else "q.line_id = %(line)s"
    query = f"""
        WITH sh AS (
            SELECT {greatest}({epoch("starts_at")}, %(s0)s) AS a,
                   {least}({epoch("ends_at")}, %(e0)s) AS b
            FROM shifts_shift
            WHERE line_id = %(line)s AND starts_at < %(end)s AND ends_at > %(start)s
        ),
        inc AS (
            SELECT CASE WHEN r.kind = 'planned' THEN 1 ELSE 0 END AS planned,
                   {greatest}({epoch("i.started_at")}, %(s0)s) AS a,
                   {least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s) AS b
            FROM downtime_downtimeincident i
            JOIN equipment_equipment q ON q.id = i.equipment_id
            LEFT JOIN downtime_reasoncode r ON r.id = i.reason_id
            WHERE {scope} AND i.started_at < %(end)s
              AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
              AND {CURRENT.format(table="downtime_downtimeincident", alias="i")}
        ),
        {
        _sweep(
            '''SELECT 0 AS k, a AS t, 1 AS ds, 0 AS dd, 0 AS dp FROM sh
            UNION ALL SELECT 0, b, -1, 0, 0 FROM sh
            UNION ALL SELECT 0, a, 0, 1, planned FROM inc
            UNION ALL SELECT 0, b, 0, -1, -planned FROM inc''',
            "k",
        )
    }
        SELECT (SELECT COALESCE(SUM(b - a), 0) FROM sh),
               COALESCE(SUM(CASE WHEN s > 0 AND d > 0 THEN nxt - t ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN s > 0 AND p > 0 THEN nxt - t ELSE 0 END), 0),
               (SELECT COUNT(*) FROM inc WHERE planned = 0),
               (SELECT COALESCE(SUM(b - a), 0) FROM inc WHERE planned = 0)
        FROM run
    """
    params = _period(start, end, now, line=line, equipment=equipment)
    return query, params


def reliability_agrees(figures: dict, rows) -> bool:
    scheduled, down, planned, failures, failed = (float(value) for value in rows[0])
    hours = 3600.0
    return (
        _close(figures["scheduled_hours"], scheduled / hours)
        and _close(figures["downtime_hours"], down / hours)
        and _close(figures["planned_downtime_hours"], planned / hours)
        and figures["failures"] == int(failures)
        and (not failures or _close(figures["mttr_hours"], failed / failures / hours))
    )


def oee(*, start, end, now, **scope):
    """Shift seconds, seconds of the shifts lost to any stop, typed planned stop seconds, and
    produced, good and ideal seconds (a shift partly in the period brings its share)."""
    epoch, greatest, least = sql.dialect()
    query = f"""
        WITH sh AS (
            SELECT s.id, s.line_id, {epoch("s.starts_at")} AS ss,
                   {greatest}({epoch("s.starts_at")}, %(s0)s) AS a,
                   {least}({epoch("s.ends_at")}, %(e0)s) AS b,
                   {least}({epoch("s.ends_at")}, %(now)s) AS sn
            FROM shifts_shift s
            WHERE {_lines_of(scope, "s.line_id")}
              AND s.starts_at < %(end)s AND s.ends_at > %(start)s
        ),
        inc AS (
            SELECT q.line_id,
                   {greatest}({epoch("i.started_at")}, %(s0)s) AS a,
                   {least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s) AS b
            FROM downtime_downtimeincident i
            JOIN equipment_equipment q ON q.id = i.equipment_id
            WHERE {_lines_of(scope, "q.line_id")} AND i.started_at < %(end)s
              AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
              AND {CURRENT.format(table="downtime_downtimeincident", alias="i")}
        ),
        {
        _sweep(
            '''SELECT line_id AS k, a AS t, 1 AS ds, 0 AS dd, 0 AS dp FROM sh
            UNION ALL SELECT line_id, b, -1, 0, 0 FROM sh
            UNION ALL SELECT line_id, a, 0, 1, 0 FROM inc
            UNION ALL SELECT line_id, b, 0, -1, 0 FROM inc''',
            "k",
        )
    },
        made AS (
            SELECT SUM(p.produced_count * (sh.b - sh.a) / (sh.sn - sh.ss)) AS produced,
                   SUM(p.good_count * (sh.b - sh.a) / (sh.sn - sh.ss)) AS good,
                   SUM(p.planned_stop_minutes * 60.0 * (sh.b - sh.a) / (sh.sn - sh.ss)) AS typed
            FROM sh JOIN shifts_productionrecord p ON p.shift_id = sh.id
            WHERE {CURRENT.format(table="shifts_productionrecord", alias="p")}
        )
        SELECT (SELECT COALESCE(SUM(b - a), 0) FROM sh),
               (SELECT COALESCE(SUM(CASE WHEN s > 0 AND d > 0 THEN nxt - t ELSE 0 END), 0)
                FROM run),
               (SELECT COALESCE(typed, 0) FROM made),
               (SELECT COALESCE(produced, 0) FROM made),
               (SELECT COALESCE(good, 0) FROM made)
    """
    return query, _period(start, end, now, **scope)


def oee_agrees(figures: dict, rows) -> bool:
    shifts, down, typed, produced, good = (float(value) for value in rows[0])
    lost = figures["shift_minutes"] - figures["planned_busy_minutes"]
    return (
        _close(figures["shift_minutes"], shifts / 60)
        # planned (typed and stops) + unplanned = typed + every stop, however it is split
        and _close(lost + figures["unplanned_downtime_minutes"], (typed + down) / 60)
        and _close(figures["produced"], produced)
        and _close(figures["good"], good)
    )


def pareto(*, start, end, now, **scope):
    """Unplanned minutes and stops by reason, largest first."""
    epoch, greatest, least = sql.dialect()
    query = f"""
        SELECT i.reason_id, COUNT(*),
               SUM({least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s)
                   - {greatest}({epoch("i.started_at")}, %(s0)s)) / 60.0 AS minutes
        FROM downtime_downtimeincident i
        JOIN equipment_equipment q ON q.id = i.equipment_id
        LEFT JOIN downtime_reasoncode r ON r.id = i.reason_id
        WHERE {_lines_of(scope, "q.line_id")} AND COALESCE(r.kind, 'unplanned') = 'unplanned'
          AND i.started_at < %(end)s AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
          AND {CURRENT.format(table="downtime_downtimeincident", alias="i")}
        GROUP BY i.reason_id ORDER BY minutes DESC
    """
    return query, _period(start, end, now, **scope)


def pareto_agrees(rows: list, found) -> bool:
    mine = {key: (int(count), float(minutes)) for key, count, minutes in found}
    return len(rows) == len(mine) and all(
        row["key"] in mine
        and row["count"] == mine[row["key"]][0]
        and _close(row["minutes"], mine[row["key"]][1])
        for row in rows
    )


def pm_compliance(*, start, end, now, zone, **scope):
    """Preventive orders due in the period: due, on time, pending (judged at min(end, now))."""
    cut = min(end, now)
    due, done = sql.local_day("w.due_at"), sql.local_day("w.completed_at")
    query = f"""
        WITH pm AS (
            SELECT w.tolerance_days AS tol, {due} AS due, w.status,
                   CASE WHEN w.status IN ('done', 'verified') AND w.completed_at < %(cut)s
                        THEN {done} END AS done
            FROM maintenance_workorder w JOIN equipment_equipment q ON q.id = w.equipment_id
            WHERE w.kind = 'preventive' AND {_lines_of(scope, "q.line_id")}
              AND w.due_at >= %(start)s AND w.due_at < %(end)s
        )
        SELECT COUNT(*),
               SUM(CASE WHEN status <> 'cancelled' AND done BETWEEN due - tol AND due + tol
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN status <> 'cancelled' AND done IS NULL AND due + tol >= %(cut_day)s
                        THEN 1 ELSE 0 END)
        FROM pm
    """
    params = _period(
        start,
        end,
        now,
        cut=sql.adapt(cut),
        cut_day=sql.day_number(cut.astimezone(zone).date()),
        tz=str(zone),
        **scope,
    )
    return query, params


def pm_compliance_agrees(figures: dict, rows) -> bool:
    due, on_time, pending = (int(value or 0) for value in rows[0])
    return (figures["due"], figures["on_time"], figures["pending"]) == (due, on_time, pending)


def quality(*, start, end, now, line):
    """First attempts and first passes of the period's units; per measured characteristic
    (current version) of the line: n, Σx, Σx², mean moving range. One query."""
    _epoch, _greatest, _least = sql.dialect()
    number = "DOUBLE PRECISION"
    query = f"""
        WITH tried AS (
            SELECT i.verdict, i.inspected_at,
                   ROW_NUMBER() OVER (PARTITION BY p.family, i.batch, i.sample
                                      ORDER BY i.inspected_at, i.id) AS attempt
            FROM quality_inspection i JOIN quality_inspectionplan p ON p.id = i.plan_id
            WHERE i.line_id = %(line)s AND i.inspected_at < %(end)s
        ),
        series AS (
            SELECT cur.id AS c, CAST(m.value AS {number}) AS x,
                   LAG(CAST(m.value AS {number})) OVER (
                       PARTITION BY cur.id ORDER BY i.inspected_at, i.id) AS previous
            FROM quality_measurement m
            JOIN quality_inspection i ON i.id = m.inspection_id
            JOIN quality_characteristic ch ON ch.id = m.characteristic_id
            JOIN quality_inspectionplan p ON p.id = ch.plan_id
            JOIN quality_inspectionplan now_p ON now_p.family = p.family
                 AND now_p.is_current = %(yes)s
            JOIN quality_characteristic cur ON cur.plan_id = now_p.id AND cur.name = ch.name
            WHERE i.line_id = %(line)s AND cur.kind = 'variable' AND m.value IS NOT NULL
              AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
        )
        SELECT -1, COUNT(*), SUM(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END), 0, 0
        FROM tried WHERE attempt = 1 AND inspected_at >= %(start)s
        UNION ALL
        SELECT c, COUNT(*), SUM(x), SUM(x * x), AVG(ABS(x - previous))
        FROM series GROUP BY c
    """
    return query, _period(start, end, now, line=line, yes=True)


def quality_agrees(figures: dict, rows) -> bool:
    (first,) = [row for row in rows if row[0] == -1]
    series = {row[0]: row for row in rows if row[0] != -1}
    if (figures["inspections"], figures["first_pass"]) != (int(first[1]), int(first[2] or 0)):
        return False
    for row in figures["characteristics"]:
        _c, n, total, _total_sq, mean_range = series.pop(row["characteristic"])
        if row["n"] != n or not _close(row["mean"], float(total) / n):
            return False
        if mean_range is not None and row["stdev_within"] is not None:
            if not _close(row["stdev_within"], float(mean_range) / 1.128):
                return False
    return not series


def capability(*, start, end, now, family, name):
    """The SPC page's figures of one characteristic (every version of its plan) over the period:
    n, Σx, Σx², Σ|moving range|, moving ranges, in time order across versions. One query."""
    number = "DOUBLE PRECISION"
    query = f"""
        WITH series AS (
            SELECT CAST(m.value AS {number}) AS x,
                   LAG(CAST(m.value AS {number})) OVER (ORDER BY i.inspected_at, i.id) AS previous
            FROM quality_measurement m
            JOIN quality_inspection i ON i.id = m.inspection_id
            JOIN quality_characteristic ch ON ch.id = m.characteristic_id
            JOIN quality_inspectionplan p ON p.id = ch.plan_id
            WHERE p.family = %(family)s AND ch.name = %(name)s AND m.value IS NOT NULL
              AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
        )
        SELECT COUNT(*), SUM(x), SUM(x * x), SUM(ABS(x - previous)), COUNT(previous) FROM series
    """
    return query, _period(start, end, now, family=family, name=name)


def capability_agrees(figures, rows) -> bool:
    result, _other_limits = figures
    n, total, _total_sq, ranges, count = rows[0]
    if result.n != n:
        return False
    if n and not _close(result.mean, float(total) / n):
        return False
    return not count or _close(result.sd_within, float(ranges) / count / 1.128)


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-4, abs_tol=1e-3)


def run(query_params):
    query, params = query_params
    return sql.rows(query, params)
