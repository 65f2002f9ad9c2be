"""KPIs, computed in the database.

Reliability (DESIGN.md, ISO 22400-2 terms), over a half-open period [start, end):

- a failure is an unplanned incident (an unclassified one counts as unplanned until someone
  classifies it); incidents are clipped to the period, and the period ends at the latest now;
- scheduled time is the line's shifts in the period (clipped to it) when the site works in
  shifts, else the whole period;
- downtime is the time incidents overlap scheduled time; for a line, stops of several machines at
  once count once (the union of the intervals), because the line stands still either way;
- operating time = scheduled time − planned downtime − unplanned downtime;
- MTBF = operating time / failures; MTTR = Σ (end − start) of the failures / failures;
- availability = operating time / (operating time + unplanned downtime).

MTBF, MTTR and its stages are None (not 0) without failures; availability is None without
scheduled time. Everything is in hours.
"""

from django.utils import timezone

from logbook.core.routing import reading_connection
from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Equipment
from logbook.reports.sql import dialect as _sql_dialect
from logbook.reports.sql import epoch as _epoch
from logbook.shifts.models import Shift, ShiftPattern

HOUR = 3600.0


def _hours(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / HOUR, 4)


def reliability(*, start, end, equipment=None, line=None, now=None) -> dict:
    """Reliability of one equipment or one line over [start, end). See the module docstring."""
    if (equipment is None) == (line is None):
        raise ValueError("Give either an equipment or a line.")
    now = now or timezone.now()
    end = min(end, now)
    if end <= start:
        start = end
    epoch, greatest, least = _sql_dialect()
    incidents = DowntimeIncident._meta.db_table
    reasons = ReasonCode._meta.db_table
    machines = Equipment._meta.db_table
    shifts = Shift._meta.db_table
    line_id = line.pk if line is not None else equipment.line_id
    site_id = (line or equipment.line).area.site_id
    in_shifts = ShiftPattern.objects.filter(site_id=site_id, active=True).exists()
    adapt = reading_connection().ops.adapt_datetimefield_value
    params = {
        "s0": _epoch(start),
        "e0": _epoch(end),
        "now": _epoch(now),
        "start": adapt(start),
        "end": adapt(end),
        "scope": equipment.pk if equipment is not None else line_id,
        "line": line_id,
    }
    scope = "i.equipment_id = %(scope)s" if equipment is not None else "q.line_id = %(scope)s"
    if in_shifts:
        windows = f"""
            SELECT {greatest}({epoch("sh.starts_at")}, %(s0)s) AS ws,
                   {least}({epoch("sh.ends_at")}, %(e0)s) AS we
            FROM {shifts} sh
            WHERE sh.line_id = %(line)s AND sh.starts_at < %(end)s AND sh.ends_at > %(start)s"""
    else:
        windows = "SELECT %(s0)s AS ws, %(e0)s AS we"
    sql = f"""
        WITH inc AS (
            SELECT CASE WHEN r.kind = 'planned' THEN 1 ELSE 0 END AS planned,
                   {greatest}({epoch("i.started_at")}, %(s0)s) AS s,
                   {least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s) AS e,
                   {epoch("i.started_at")} AS t0,
                   {epoch("i.responded_at")} AS t1,
                   {epoch("i.repaired_at")} AS t2,
                   {epoch("i.ended_at")} AS t3
            FROM {incidents} i
            JOIN {machines} q ON q.id = i.equipment_id
            LEFT JOIN {reasons} r ON r.id = i.reason_id
            WHERE {scope}
              AND i.started_at < %(end)s
              AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
              AND NOT EXISTS (SELECT 1 FROM {incidents} a WHERE a.amends_id = i.id)
        ),
        win AS ({windows}),
        pieces AS (
            SELECT inc.planned, {greatest}(inc.s, win.ws) AS ps, {least}(inc.e, win.we) AS pe
            FROM inc JOIN win ON inc.s < win.we AND inc.e > win.ws
        ),
        ordered AS (
            SELECT planned, ps, pe,
                   MAX(pe) OVER (ORDER BY ps, pe
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_all,
                   MAX(pe) OVER (PARTITION BY planned ORDER BY ps, pe
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_kind
            FROM pieces
        )
        SELECT
            (SELECT COALESCE(SUM(we - ws), 0) FROM win WHERE we > ws),
            (SELECT COALESCE(SUM({greatest}(0, pe - {greatest}(ps, COALESCE(prev_all, ps)))), 0)
               FROM ordered),
            (SELECT COALESCE(SUM({greatest}(0, pe - {greatest}(ps, COALESCE(prev_kind, ps)))), 0)
               FROM ordered WHERE planned = 1),
            (SELECT COUNT(*) FROM inc WHERE planned = 0),
            (SELECT SUM(e - s) FROM inc WHERE planned = 0),
            (SELECT AVG(t1 - t0) FROM inc WHERE planned = 0 AND t1 IS NOT NULL),
            (SELECT AVG(t2 - COALESCE(t1, t0)) FROM inc WHERE planned = 0 AND t2 IS NOT NULL),
            (SELECT AVG(t3 - t2) FROM inc WHERE planned = 0 AND t2 IS NOT NULL AND t3 IS NOT NULL)
    """
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        (scheduled, down_all, down_planned, failures, failed_seconds, response, repair, restart) = (
            cursor.fetchone()
        )
    scheduled, down_all, down_planned = float(scheduled), float(down_all), float(down_planned)
    down_unplanned = max(down_all - down_planned, 0.0)
    operating = max(scheduled - down_all, 0.0)
    return {
        "start": start,
        "end": end,
        "scheduled_hours": _hours(scheduled),
        "failures": failures,
        "downtime_hours": _hours(down_all),
        "planned_downtime_hours": _hours(down_planned),
        "unplanned_downtime_hours": _hours(down_unplanned),
        "operating_hours": _hours(operating),
        "mtbf_hours": _hours(operating / failures) if failures else None,
        "mttr_hours": _hours(float(failed_seconds) / failures) if failures else None,
        "mttr_response_hours": _hours(response) if failures else None,
        "mttr_repair_hours": _hours(repair) if failures else None,
        "mttr_restart_hours": _hours(restart) if failures else None,
        "availability": (
            round(operating / (operating + down_unplanned), 4)
            if operating + down_unplanned > 0
            else None
        ),
    }
