"""Maintenance KPIs: PM compliance, the corrective-maintenance ratio, the backlog, and failures
that followed a late PM. Computed in the database, in the site's local days.

**PM compliance** (preventive work orders only; corrective work never counts). The orders *due*
in a period are those whose due date (a local day) falls in it. The period is judged as it stood
at its end (or now, for a period still running), so last month's figure does not change when its
missed work is done later. Each order is then, with its tolerance window
[due − tolerance, due + tolerance] in whole local days:

- **on time**: completed inside the window (before the cut-off);
- **early**: completed before the window opened;
- **late**: completed after the window closed (before the cut-off);
- **missed**: cancelled, or not completed and the window closed before the cut-off;
- **pending**: not completed, and its window is still open at the cut-off — it cannot be
  judged yet and is left out of the ratio.

compliance = on time / (due − pending); None ("no data") when nothing can be judged.

**Corrective-maintenance ratio** = labour minutes of corrective orders / labour minutes of all
orders completed in the period.

**Backlog**: the open work (open or in progress) now, in hours: a preventive order counts its
schedule's estimate; a corrective order has no estimate, so it counts the mean labour of the
corrective orders completed in the scope over the last 90 days (its count is shown beside).

**A failure after a late PM**: an unplanned (or unclassified) stop of a machine which, within one
PM interval before the stop, had a preventive order whose window had closed by the stop's day
and that was not completed in it (completed late, not yet, or cancelled). One interval is the
schedule's in days (a month counts 30.44 days; a meter interval, 30 days).
"""

import datetime

from django.utils import timezone

from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Equipment
from logbook.maintenance.models import MaintenanceSchedule, WorkOrder
from logbook.reports import sql
from logbook.reports.oee import scope_condition

VERDICTS = ("on_time", "early", "late", "missed", "pending")


def months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """[first day, first day of the next month) of each month that [start, end) touches."""
    result = []
    first = start.replace(day=1)
    while first < end:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        result.append((first, following))
        first = following
    return result


def _verdict_sql():
    """SQL CASE naming each order's verdict (columns due, tol, done, cancelled; %(cut_day)s)."""
    return """
        CASE
            WHEN cancelled = 1 THEN 'missed'
            WHEN done IS NULL AND due + tol < %(cut_day)s THEN 'missed'
            WHEN done IS NULL THEN 'pending'
            WHEN done < due - tol THEN 'early'
            WHEN done > due + tol THEN 'late'
            ELSE 'on_time'
        END"""


def _pm_orders(*, line, site, start, end, cut):
    """The CTE ``pm`` of the preventive orders due in [start, end), with their verdict."""
    works, machines = WorkOrder._meta.db_table, Equipment._meta.db_table
    in_scope, params = scope_condition("q.line_id", line=line, site=site)
    site = site or line.area.site
    params.update(
        tz=site.timezone,
        start=sql.adapt(start),
        end=sql.adapt(end),
        cut=sql.adapt(cut),
        cut_day=sql.day_number(cut.astimezone(site.zone).date()),
    )
    cte = f"""
        orders AS (
            SELECT w.id, w.tolerance_days AS tol, {sql.local_day("w.due_at")} AS due,
                   CASE WHEN w.status IN ('done', 'verified') AND w.completed_at < %(cut)s
                        THEN {sql.local_day("w.completed_at")} END AS done,
                   CASE WHEN w.status = 'cancelled' THEN 1 ELSE 0 END AS cancelled
            FROM {works} w JOIN {machines} q ON q.id = w.equipment_id
            WHERE w.kind = 'preventive' AND {in_scope}
              AND w.due_at >= %(start)s AND w.due_at < %(end)s
        ),
        pm AS (SELECT id, due, {_verdict_sql()} AS verdict FROM orders)"""
    return cte, params


def pm_compliance(*, start, end, line=None, site=None, now=None) -> dict:
    """``due``, ``on_time``, ``early``, ``late``, ``missed``, ``pending``, ``compliance`` over
    [start, end), and ``rows`` per local month. See the module docstring. One query."""
    if (line is None) == (site is None):
        raise ValueError("Give either a line or a site.")
    zone = (site or line.area.site).zone
    now = now or timezone.now()
    cut = min(end, now)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if end.astimezone(zone).time() != datetime.time(0):
        last += datetime.timedelta(days=1)  # a period ending inside a day includes that day
    cte, params = _pm_orders(line=line, site=site, start=start, end=end, cut=cut)
    values = []
    spans = months(first, last)
    for index, (month, following) in enumerate(spans):
        values.append(
            f"(CAST(%(m{index})s AS INTEGER), CAST(%(m0_{index})s AS INTEGER), "
            f"CAST(%(m1_{index})s AS INTEGER))"
        )
        params.update(
            {
                f"m{index}": index,
                f"m0_{index}": sql.day_number(month),
                f"m1_{index}": sql.day_number(following),
            }
        )
    if not values:
        values, params["m"] = ["(CAST(%(m)s AS INTEGER), 0, 0)"], 0
    counts = ", ".join(
        f"SUM(CASE WHEN pm.verdict = '{verdict}' THEN 1 ELSE 0 END)" for verdict in VERDICTS
    )
    query = f"""
        WITH {cte},
        grp(g, d0, d1) AS (VALUES {", ".join(values)})
        SELECT grp.g, COUNT(pm.id), {counts}
        FROM grp LEFT JOIN pm ON pm.due >= grp.d0 AND pm.due < grp.d1
        GROUP BY grp.g
    """
    by_month = {row[0]: row[1:] for row in sql.rows(query, params)}
    rows = []
    for index, (month, _following) in enumerate(spans):
        figures = _figures(by_month.get(index))
        rows.append({"month": month, "label": month.strftime("%Y-%m"), **figures})
    total = _figures(
        [sum(int(row[i] or 0) for row in by_month.values()) for i in range(1 + len(VERDICTS))]
    )
    return {"start": start, "end": end, "cut_off": cut, **total, "rows": rows}


def _figures(row) -> dict:
    due, *counts = [int(value or 0) for value in (row or [0] * (1 + len(VERDICTS)))]
    figures = dict(zip(VERDICTS, counts, strict=True))
    judged = due - figures["pending"]
    return {
        "due": due,
        **figures,
        "compliance": figures["on_time"] / judged if judged else None,
    }


def pm_exceptions(*, start, end, line=None, site=None, now=None, limit=100) -> list:
    """The late, missed and early preventive orders due in [start, end), each with its
    ``verdict``, oldest due first (at most ``limit``). Two queries."""
    cut = min(end, now or timezone.now())
    cte, params = _pm_orders(line=line, site=site, start=start, end=end, cut=cut)
    params["limit"] = limit
    query = f"""
        WITH {cte}
        SELECT id, verdict FROM pm WHERE verdict IN ('late', 'missed', 'early')
        ORDER BY due, id LIMIT %(limit)s
    """
    verdicts = dict(sql.rows(query, params))
    orders = WorkOrder.objects.filter(pk__in=verdicts).select_related(
        "equipment", "schedule", "assigned_to"
    )
    result = sorted(orders, key=lambda order: (order.due_at, order.pk))
    for order in result:
        order.verdict = verdicts[order.pk]
    return result


def work_mix(*, start, end, line=None, site=None, now=None) -> dict:
    """The corrective-maintenance ratio over [start, end) and the open backlog now, in hours."""
    now = now or timezone.now()
    works, machines = WorkOrder._meta.db_table, Equipment._meta.db_table
    schedules = MaintenanceSchedule._meta.db_table
    in_scope, params = scope_condition("q.line_id", line=line, site=site)
    params.update(
        start=sql.adapt(start),
        end=sql.adapt(min(end, now)),
        recent=sql.adapt(now - datetime.timedelta(days=90)),
        now=sql.adapt(now),
    )
    query = f"""
        WITH w AS (
            SELECT w.kind, w.status, w.labour_minutes, w.completed_at, s.estimated_minutes
            FROM {works} w JOIN {machines} q ON q.id = w.equipment_id
            LEFT JOIN {schedules} s ON s.id = w.schedule_id
            WHERE {in_scope}
        ),
        typical AS (
            SELECT AVG(labour_minutes) AS minutes FROM w
            WHERE kind = 'corrective' AND labour_minutes IS NOT NULL
              AND completed_at >= %(recent)s AND completed_at < %(now)s
        )
        SELECT
            (SELECT SUM(labour_minutes) FROM w WHERE kind = 'corrective'
               AND status IN ('done', 'verified')
               AND completed_at >= %(start)s AND completed_at < %(end)s),
            (SELECT SUM(labour_minutes) FROM w WHERE status IN ('done', 'verified')
               AND completed_at >= %(start)s AND completed_at < %(end)s),
            (SELECT COUNT(*) FROM w WHERE status IN ('open', 'in_progress')
               AND kind = 'preventive'),
            (SELECT SUM(estimated_minutes) FROM w WHERE status IN ('open', 'in_progress')
               AND kind = 'preventive'),
            (SELECT COUNT(*) FROM w WHERE status IN ('open', 'in_progress')
               AND kind = 'corrective'),
            (SELECT minutes FROM typical)
    """
    [(corrective, labour, pm_open, pm_minutes, cm_open, typical)] = sql.rows(query, params)
    corrective, labour = float(corrective or 0), float(labour or 0)
    cm_minutes = float(typical or 0) * int(cm_open or 0)
    return {
        "corrective_minutes": corrective,
        "maintenance_minutes": labour,
        "corrective_ratio": corrective / labour if labour else None,
        "backlog_preventive": int(pm_open or 0),
        "backlog_corrective": int(cm_open or 0),
        "backlog_hours": (float(pm_minutes or 0) + cm_minutes) / 60,
        "corrective_estimate_minutes": float(typical) if typical is not None else None,
    }


def late_pm_conditions(day: str, started: str) -> str:
    """SQL: the preventive order ``w`` (of schedule ``s``, same machine) was late or missed for a
    failure that began at ``started`` on local day number ``day`` (needs %(tz)s)."""
    interval = """CASE s.interval_unit WHEN 'days' THEN s.interval
                        WHEN 'weeks' THEN s.interval * 7
                        WHEN 'months' THEN s.interval * 30.44 ELSE 30 END"""
    due = sql.local_day("w.due_at")
    return f"""w.kind = 'preventive' AND w.due_at < {started}
              AND {due} >= {day} - {interval}
              AND {due} + w.tolerance_days < {day}
              AND (w.status = 'cancelled' OR w.completed_at IS NULL
                   OR w.completed_at > {started}
                   OR {sql.local_day("w.completed_at")} > {due} + w.tolerance_days)"""


def after_late_pm_ids(tz: str) -> tuple[str, list]:
    """SQL selecting the ids of every failure that followed a late or missed PM (local days in
    zone ``tz``), and its parameters: for a list filter (``pk__in=RawSQL(...)``)."""
    incidents, reasons = DowntimeIncident._meta.db_table, ReasonCode._meta.db_table
    works, schedules = WorkOrder._meta.db_table, MaintenanceSchedule._meta.db_table
    query = f"""
        SELECT i.id FROM {incidents} i
        LEFT JOIN {reasons} r ON r.id = i.reason_id
        JOIN {works} w ON w.equipment_id = i.equipment_id
        JOIN {schedules} s ON s.id = w.schedule_id
        WHERE (r.kind IS NULL OR r.kind = 'unplanned')
          AND {late_pm_conditions(sql.local_day("i.started_at"), "i.started_at")}"""
    return query.replace("%(tz)s", "%s"), [tz] * query.count("%(tz)s")


def failures_after_late_pm(*, start, end, line=None, site=None, now=None, limit=100) -> list:
    """Unplanned stops in [start, end) that followed a late or missed PM of their machine (see
    the module docstring), newest first, each with ``late_pm`` (the order). Three queries."""
    now = now or timezone.now()
    incidents, reasons = DowntimeIncident._meta.db_table, ReasonCode._meta.db_table
    works, machines = WorkOrder._meta.db_table, Equipment._meta.db_table
    schedules = MaintenanceSchedule._meta.db_table
    in_scope, params = scope_condition("q.line_id", line=line, site=site)
    params.update(
        tz=(site or line.area.site).timezone,
        start=sql.adapt(start),
        end=sql.adapt(min(end, now)),
        limit=limit,
    )
    query = f"""
        WITH failures AS (
            SELECT i.id, i.equipment_id, i.started_at, {sql.local_day("i.started_at")} AS day
            FROM {incidents} i
            JOIN {machines} q ON q.id = i.equipment_id
            LEFT JOIN {reasons} r ON r.id = i.reason_id
            WHERE {in_scope} AND (r.kind IS NULL OR r.kind = 'unplanned')
              AND i.started_at >= %(start)s AND i.started_at < %(end)s
              AND {sql.current(incidents, "i")}
              -- Only machines with preventive work can have had a late PM.
              AND EXISTS (SELECT 1 FROM {works} pw
                          WHERE pw.equipment_id = i.equipment_id AND pw.kind = 'preventive'
                            AND pw.due_at < i.started_at)
        ),
        late AS (
            SELECT f.id AS incident, w.id AS work_order,
                   ROW_NUMBER() OVER (PARTITION BY f.id ORDER BY w.due_at DESC, w.id DESC) AS n
            FROM failures f
            JOIN {works} w ON w.equipment_id = f.equipment_id AND w.kind = 'preventive'
            JOIN {schedules} s ON s.id = w.schedule_id
            WHERE {late_pm_conditions("f.day", "f.started_at")}
        )
        SELECT incident, work_order FROM late WHERE n = 1
        ORDER BY incident DESC LIMIT %(limit)s
    """
    pairs = dict(sql.rows(query, params))
    found = DowntimeIncident.objects.filter(pk__in=pairs).select_related("equipment", "reason")
    orders = WorkOrder.objects.in_bulk(pairs.values())
    result = sorted(found, key=lambda incident: incident.started_at, reverse=True)
    for incident in result:
        incident.late_pm = orders[pairs[incident.pk]]
    return result
