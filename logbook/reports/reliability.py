"""Reliability tables: per equipment of a line or site, or per month of a scope, in one query.

The definitions are those of ``logbook.reports.selectors.reliability`` (DESIGN.md, ISO 22400-2),
applied to many units at once:

- per **equipment**: each machine against its line's scheduled time; its own stops merged;
- per **month** (local months of the site): the scope's stops merged per line (a line stands
  still once however many of its machines are down), the lines' operating times added up.

A failure is counted in the month it began (inside the period); its repair time is the part of
it inside the period. MTBF, MTTR and its stages are None without failures; availability is None
without scheduled time. Hours.
"""

import datetime

from django.utils import timezone

from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Equipment, Line
from logbook.reports import sql
from logbook.reports.oee import scope_condition
from logbook.shifts.models import Shift, ShiftPattern

HOUR = 3600.0


def _months(start, end, zone):
    """[start, end) cut at the local month boundaries, in UTC."""
    result = []
    first = start.astimezone(zone).date().replace(day=1)
    while True:
        lower = datetime.datetime.combine(first, datetime.time(0), tzinfo=zone)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        upper = datetime.datetime.combine(following, datetime.time(0), tzinfo=zone)
        if lower >= end:
            return result
        result.append((first, max(lower, start), min(upper, end)))
        first = following


def _figures(scheduled, down_all, down_planned, failures, failed, response, repair, restart):
    hours = _hours
    down_unplanned = max(down_all - down_planned, 0.0)
    operating = max(scheduled - down_all, 0.0)
    return {
        "scheduled_hours": hours(scheduled),
        "failures": failures,
        "downtime_hours": hours(down_all),
        "planned_downtime_hours": hours(down_planned),
        "unplanned_downtime_hours": hours(down_unplanned),
        "operating_hours": hours(operating),
        "mtbf_hours": hours(operating / failures) if failures else None,
        "mttr_hours": hours(failed / failures) if failures else None,
        "mttr_response_hours": hours(response) if failures else None,
        "mttr_repair_hours": hours(repair) if failures else None,
        "mttr_restart_hours": hours(restart) if failures else None,
        "availability": (
            operating / (operating + down_unplanned) if operating + down_unplanned > 0 else None
        ),
    }


def _hours(seconds):
    return None if seconds is None else round(float(seconds) / HOUR, 4)


def reliability_table(
    *, start, end, by, line=None, site=None, equipment=None, now=None, limit=None
):
    """Rows per ``by`` = "equipment" (the machines of the line or site that stopped in the
    period, most unplanned downtime first, at most ``limit``; a machine that never stopped has
    nothing to show), "month" (of the line, site or one equipment) or "period" (one row: the
    whole period). See the module docstring."""
    if by not in ("equipment", "month", "period"):
        raise ValueError(by)
    now = now or timezone.now()
    end = min(end, now).astimezone(datetime.UTC)
    start = min(start, end).astimezone(datetime.UTC)
    home = site or (line or equipment.line).area.site
    if by == "month":
        groups = _months(start, end, home.zone)
    elif by == "period":
        groups = [(None, start, end)]
    else:
        groups = [(None, start, end)] if end > start else []
    if not groups:
        return []
    in_shifts = ShiftPattern.objects.filter(site=home, active=True).exists()
    if by != "equipment":
        return _swept(groups, start, end, now, in_shifts, line=line, site=site, equipment=equipment)
    epoch, greatest, least = sql.dialect()
    machine_scope, line_scope, params, values = _parameters(
        groups, start, end, now, line=line, site=site, equipment=equipment
    )
    lines = Line._meta.db_table
    if in_shifts:
        windows = f"""
            SELECT sh.id AS shift_id, sh.line_id, grp.g, {greatest}(sh.ss, grp.gs) AS ws,
                   {least}(sh.se, grp.ge) AS we
            FROM (SELECT id, line_id, {epoch("starts_at")} AS ss, {epoch("ends_at")} AS se
                  FROM {Shift._meta.db_table}
                  WHERE {line_scope} AND starts_at < %(end)s AND ends_at > %(start)s) sh
            JOIN grp ON sh.ss < grp.ge AND sh.se > grp.gs"""
        # Each stop meets the few shifts around it through the shift table's index.
        meets = f"""
            {sql.join_shifts_overlapping("s2", "inc")}
            JOIN win ON win.shift_id = s2.id AND inc.s < win.we AND inc.e > win.ws"""
    else:
        windows = f"""
            SELECT l.id AS line_id, grp.g, grp.gs AS ws, grp.ge AS we
            FROM {lines} l CROSS JOIN grp WHERE {line_scope.replace("line_id", "l.id", 1)}"""
        # A window per line and group: a handful to meet.
        meets = "JOIN win ON inc.line_id = win.line_id AND inc.s < win.we AND inc.e > win.ws"
    query = f"""
        WITH grp(g, gs, ge) AS (VALUES {", ".join(values)}),
        win AS ({windows}),
        inc AS ({_incidents(epoch, greatest, least, machine_scope)}),
        pieces AS (
            SELECT inc.unit, win.g, inc.planned,
                   {greatest}(inc.s, win.ws) AS ps, {least}(inc.e, win.we) AS pe
            FROM inc {meets}
        ),
        ordered AS (
            SELECT unit, g, planned, ps, pe,
                   MAX(pe) OVER (PARTITION BY unit, g ORDER BY ps, pe
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_all,
                   MAX(pe) OVER (PARTITION BY unit, g, planned ORDER BY ps, pe
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_kind
            FROM pieces
        ),
        failed AS (
            SELECT inc.unit, grp.g, inc.s, inc.e, inc.t0, inc.t1, inc.t2, inc.t3
            FROM inc JOIN grp ON inc.s >= grp.gs AND inc.s < grp.ge
            WHERE inc.planned = 0
        )
        SELECT 'win', line_id, g, SUM(we - ws), 0, 0, 0, 0, 0, 0, 0 FROM win GROUP BY line_id, g
        UNION ALL
        SELECT 'down', unit, g,
               SUM({greatest}(0, pe - {greatest}(ps, COALESCE(prev_all, ps)))),
               SUM(CASE WHEN planned = 1
                        THEN {greatest}(0, pe - {greatest}(ps, COALESCE(prev_kind, ps)))
                        ELSE 0 END), 0, 0, 0, 0, 0, 0
        FROM ordered GROUP BY unit, g
        UNION ALL
        SELECT 'fail', unit, g, COUNT(*), SUM(e - s),
               SUM(t1 - t0), COUNT(t1),
               SUM(CASE WHEN t2 IS NOT NULL THEN t2 - COALESCE(t1, t0) END), COUNT(t2),
               SUM(CASE WHEN t3 IS NOT NULL THEN t3 - t2 END),
               COUNT(CASE WHEN t3 IS NOT NULL THEN t2 END)
        FROM failed GROUP BY unit, g
    """
    scheduled, down, fails = {}, {}, {}

    def seconds(value):
        return None if value is None else round(float(value), 3)

    for kind, key, g, a, b, *stages in sql.rows(query, params):
        if kind == "win":
            scheduled[(key, g)] = seconds(a)
        elif kind == "down":
            down[(key, g)] = (seconds(a), seconds(b))
        else:
            # Failures, their seconds, and (Σ seconds, count) of each stage where it was timed.
            fails[(key, g)] = (
                int(a),
                seconds(b),
                *((seconds(stages[i]) or 0.0, int(stages[i + 1] or 0)) for i in (0, 2, 4)),
            )
    stopped = {unit for unit, _g in down} | {unit for unit, _g in fails}
    worst = sorted(
        stopped,
        key=lambda unit: (
            -(down.get((unit, 0), (0.0, 0.0))[0] - down.get((unit, 0), (0.0, 0.0))[1]),
            -fails.get((unit, 0), (0,))[0],
            unit,
        ),
    )[:limit]
    machines = Equipment.objects.filter(pk__in=worst).select_related("line").in_bulk()
    rows = []
    for machine in (machines[pk] for pk in worst):
        figures = _combine(
            [scheduled.get((machine.line_id, 0), 0.0)],
            [down[(machine.pk, 0)]] if (machine.pk, 0) in down else [],
            [fails[(machine.pk, 0)]] if (machine.pk, 0) in fails else [],
        )
        rows.append({"equipment": machine, "key": machine.pk, "label": str(machine), **figures})
    return rows


def _combine(scheduled, downs, fails) -> dict:
    """The figures of several units together: times and counts added, stages averaged."""
    count = sum(fail[0] for fail in fails)
    failed = sum(fail[1] or 0.0 for fail in fails)
    stages = []
    for i in (2, 3, 4):
        total, timed = sum(f[i][0] for f in fails), sum(f[i][1] for f in fails)
        stages.append(total / timed if timed else None)
    return _figures(
        sum(scheduled),
        sum(d[0] or 0.0 for d in downs),
        sum(d[1] or 0.0 for d in downs),
        count,
        failed,
        *stages,
    )


def _parameters(groups, start, end, now, *, line, site, equipment):
    """(condition on machines ``q``, condition on ``line_id``, parameters, VALUES rows of
    ``grp(g, gs, ge)``) of a reliability query."""
    if equipment is not None:
        machine_scope, params = "q.id = %(scope_machine)s", {"scope_machine": equipment.pk}
        line_scope, line_params = scope_condition("line_id", line=equipment.line)
    else:
        machine_scope, params = scope_condition("q.line_id", line=line, site=site)
        line_scope, line_params = scope_condition("line_id", line=line, site=site)
    params.update(line_params)
    params.update(sql.period_params(start, end, now))
    values = []
    for index, (_key, lower, upper) in enumerate(groups):
        values.append(
            f"(CAST(%(g{index})s AS INTEGER), CAST(%(gs{index})s AS DOUBLE PRECISION), "
            f"CAST(%(ge{index})s AS DOUBLE PRECISION))"
        )
        params.update(
            {f"g{index}": index, f"gs{index}": sql.epoch(lower), f"ge{index}": sql.epoch(upper)}
        )
    return machine_scope, line_scope, params, values


def _incidents(epoch, greatest, least, machine_scope) -> str:
    """The stops of the scope overlapping [start, end), current versions only, clipped to it
    (an open one runs until now), as epoch seconds, with their stages and stored times."""
    return f"""
        SELECT q.id AS unit, q.line_id,
               CASE WHEN r.kind = 'planned' THEN 1 ELSE 0 END AS planned,
               {greatest}({epoch("i.started_at")}, %(s0)s) AS s,
               {least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s) AS e,
               {epoch("i.started_at")} AS t0, {epoch("i.responded_at")} AS t1,
               {epoch("i.repaired_at")} AS t2, {epoch("i.ended_at")} AS t3,
               i.started_at AS t_start, COALESCE(i.ended_at, %(end)s) AS t_end
        FROM {DowntimeIncident._meta.db_table} i
        JOIN {Equipment._meta.db_table} q ON q.id = i.equipment_id
        LEFT JOIN {ReasonCode._meta.db_table} r ON r.id = i.reason_id
        WHERE {machine_scope}
          AND i.started_at < %(end)s
          AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
          AND {sql.current(DowntimeIncident._meta.db_table, "i")}"""


def _swept(groups, start, end, now, in_shifts, *, line, site, equipment):
    """Rows per group (months, or the one period) of a line, a site's lines together, or one
    machine, by a sweep: each shift (or, without shifts, the period), each stop and each group's
    start becomes an event on its line's time axis; one sort per line and running sums say, for
    each stretch between two events, whether the line is scheduled, down, down for a planned
    reason, and in which group it lies. No stop is joined with any shift."""
    epoch, greatest, least = sql.dialect()
    machine_scope, line_scope, params, values = _parameters(
        groups, start, end, now, line=line, site=site, equipment=equipment
    )
    in_scope = line_scope.replace("line_id", "id", 1)
    lines = f"SELECT id AS line_id FROM {Line._meta.db_table} WHERE {in_scope}"
    if in_shifts:
        windows = f"""
            SELECT line_id, {greatest}({epoch("starts_at")}, %(s0)s) AS a,
                   {least}({epoch("ends_at")}, %(e0)s) AS b
            FROM {Shift._meta.db_table}
            WHERE {line_scope} AND starts_at < %(end)s AND ends_at > %(start)s"""
    else:
        windows = f"SELECT line_id, %(s0)s AS a, %(e0)s AS b FROM ({lines}) l"
    # Events: (line, t, shifts on Δ, stops on Δ, planned stops on Δ, group Δ).
    events = f"""
        SELECT line_id AS k, a AS t, 1 AS ds, 0 AS dd, 0 AS dp, 0 AS dg FROM win WHERE b > a
        UNION ALL SELECT line_id, b, -1, 0, 0, 0 FROM win WHERE b > a
        UNION ALL SELECT line_id, s, 0, 1, planned, 0 FROM inc WHERE e > s
        UNION ALL SELECT line_id, e, 0, -1, -planned, 0 FROM inc WHERE e > s
        UNION ALL SELECT l.line_id, grp.gs, 0, 0, 0, 1
                  FROM ({lines}) l CROSS JOIN grp WHERE grp.g > 0"""
    query = f"""
        WITH grp(g, gs, ge) AS (VALUES {", ".join(values)}),
        win AS ({windows}),
        inc AS ({_incidents(epoch, greatest, least, machine_scope)}),
        run AS (
            SELECT t, SUM(ds) OVER w AS s, SUM(dd) OVER w AS d, SUM(dp) OVER w AS p,
                   SUM(dg) OVER w AS g, LEAD(t) OVER w - t AS span
            FROM ({events}) ev
            WINDOW w AS (PARTITION BY k ORDER BY t ROWS UNBOUNDED PRECEDING)
        ),
        failed AS (
            SELECT grp.g, inc.s, inc.e, inc.t0, inc.t1, inc.t2, inc.t3
            FROM inc JOIN grp ON inc.s >= grp.gs AND inc.s < grp.ge
            WHERE inc.planned = 0
        )
        SELECT 'time', g, SUM(CASE WHEN s > 0 THEN span ELSE 0 END),
               SUM(CASE WHEN s > 0 AND d > 0 THEN span ELSE 0 END),
               SUM(CASE WHEN s > 0 AND p > 0 THEN span ELSE 0 END), 0, 0, 0, 0, 0
        FROM run WHERE span > 0 GROUP BY g
        UNION ALL
        SELECT 'fail', g, COUNT(*), SUM(e - s),
               SUM(t1 - t0), COUNT(t1),
               SUM(CASE WHEN t2 IS NOT NULL THEN t2 - COALESCE(t1, t0) END), COUNT(t2),
               SUM(CASE WHEN t3 IS NOT NULL THEN t3 - t2 END),
               COUNT(CASE WHEN t3 IS NOT NULL THEN t2 END)
        FROM failed GROUP BY g
    """

    def seconds(value):
        return None if value is None else round(float(value), 3)

    times, fails = {}, {}
    for kind, g, a, b, *stages in sql.rows(query, params):
        if kind == "time":
            times[int(g)] = (seconds(a), seconds(b), seconds(stages[0]))
        else:
            fails[int(g)] = (
                int(a),
                seconds(b),
                *((seconds(stages[i]) or 0.0, int(stages[i + 1] or 0)) for i in (0, 2, 4)),
            )
    rows = []
    for index, (month, lower, upper) in enumerate(groups):
        scheduled, down_all, down_planned = times.get(index, (0.0, 0.0, 0.0))
        figures = _combine(
            [scheduled], [(down_all, down_planned)], [fails[index]] if index in fails else []
        )
        rows.append(
            {
                "key": month,
                "label": month.strftime("%Y-%m") if month else "",
                "start": lower,
                "end": upper,
                **figures,
            }
        )
    return rows
