"""OEE and its losses (ISO 22400-2), for a line or a whole site, computed in the database.

Over a half-open period [start, end), cut at now (what has not happened yet is not counted):

- calendar time = the period × the lines in scope;
- shift time = the line's shifts (those started in the logbook), clipped to the period;
- planned downtime = the planned stop minutes of the production records + the time stops with a
  planned reason overlap the shifts;
- planned busy time = shift time − planned downtime;
- unplanned downtime = the time unplanned (or not yet classified) stops overlap the shifts;
- actual production time (run time) = planned busy time − unplanned downtime;
- availability = actual production time / planned busy time;
- performance = Σ (ideal cycle time × produced) / actual production time of the shifts that
  recorded counts (a shift without counts says nothing about speed) — shown as computed, even
  above 100 % (then the ideal cycle time looks wrong, and the report says so);
- quality = good / produced;
- OEE = availability × performance × quality; TEEP = OEE × planned busy time / calendar time.

Stops are clipped to the period and split at shift boundaries (a stop outside every shift is no
loss of planned time). Stops of one line that overlap count once: the overlapping time goes to
the stop that began first (at the same instant, to the planned one). A shift that lies partly in
the period brings the same share of its counts and planned stop minutes (counts are taken as
spread evenly over their shift), so a night shift over midnight splits between two days.

Losses, in minutes, for the waterfall: calendar → not scheduled → planned downtime → planned busy
→ unplanned downtime by category → run time → run time without counts (shifts that recorded
none) → speed loss (run time with counts − ideal time of what was produced; negative when
performance is above 100 %) → quality loss (ideal time of the rejects) → fully productive time
(ideal time of the good parts).

Ratios are None ("no data") where their denominator is zero or no production was recorded; they
are never rounded here. One query per report, whatever the period's length or grouping.
"""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Area, Equipment, Line
from logbook.reports import sql
from logbook.shifts.models import ProductionRecord, Shift, ShiftPattern

MINUTE = 60.0
GROUPS = ("day", "week", "shift")


@dataclasses.dataclass
class Bucket:
    """One row of a grouped report: a local day, a week from Monday, or a shift pattern."""

    key: object
    label: str
    start: datetime.datetime
    end: datetime.datetime


def buckets(start, end, group, zone: ZoneInfo) -> list[Bucket]:
    """The local days or weeks (from Monday) that [start, end) touches, clipped to it."""
    if group not in ("day", "week"):
        raise ValueError(group)
    first = start.astimezone(zone).date()
    if group == "week":
        first -= datetime.timedelta(days=first.weekday())
    step = datetime.timedelta(days=7 if group == "week" else 1)
    result = []
    day = first
    while True:
        lower = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        upper = datetime.datetime.combine(day + step, datetime.time(0), tzinfo=zone)
        if lower >= end:
            break
        # In UTC: Python subtracts two times of one zone by wall clock (a DST day would be 24 h).
        result.append(
            Bucket(
                day,
                day.isoformat(),
                max(lower, start).astimezone(datetime.UTC),
                min(upper, end).astimezone(datetime.UTC),
            )
        )
        day += step
    return result


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


@dataclasses.dataclass
class Totals:
    """The raw seconds and counts one group (or the whole report) adds up."""

    calendar: float = 0.0
    shifts: float = 0.0
    planned_stops: float = 0.0  # typed planned stop minutes of the production records
    planned_incidents: float = 0.0
    unplanned: float = 0.0
    records: int = 0
    produced: float = 0.0
    good: float = 0.0
    ideal: float = 0.0  # Σ ideal cycle time × produced, seconds
    ideal_good: float = 0.0  # Σ ideal cycle time × good, seconds
    # The same times for the shifts that recorded counts: performance is judged on those only.
    counted_shifts: float = 0.0
    counted_planned_incidents: float = 0.0
    counted_unplanned: float = 0.0
    by_category: dict = dataclasses.field(default_factory=dict)  # category id → seconds

    def add(self, other: "Totals"):
        for field in dataclasses.fields(self):
            if field.name == "by_category":
                for key, seconds in other.by_category.items():
                    self.by_category[key] = self.by_category.get(key, 0.0) + seconds
            else:
                setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def figures(self, categories: dict) -> dict:
        planned = min(self.planned_stops + self.planned_incidents, self.shifts)
        busy = self.shifts - planned
        unplanned = min(self.unplanned, busy)
        run = busy - unplanned
        availability = _ratio(run, busy)
        counted_planned = min(
            self.planned_stops + self.counted_planned_incidents, self.counted_shifts
        )
        counted_busy = self.counted_shifts - counted_planned
        counted_run = max(counted_busy - min(self.counted_unplanned, counted_busy), 0.0)
        performance = _ratio(self.ideal, counted_run) if self.records else None
        quality = _ratio(self.good, self.produced) if self.records else None
        oee = (
            availability * performance * quality
            if None not in (availability, performance, quality)
            else None
        )
        teep = oee * busy / self.calendar if oee is not None and self.calendar else None
        speed_loss = counted_run - self.ideal if self.records else None
        return {
            "calendar_minutes": self.calendar / MINUTE,
            "shift_minutes": self.shifts / MINUTE,
            "not_scheduled_minutes": (self.calendar - self.shifts) / MINUTE,
            "planned_stop_minutes": self.planned_stops / MINUTE,
            "planned_incident_minutes": self.planned_incidents / MINUTE,
            "planned_downtime_minutes": planned / MINUTE,
            "planned_busy_minutes": busy / MINUTE,
            "unplanned_downtime_minutes": unplanned / MINUTE,
            "unplanned_by_category": [
                {
                    "category": key,
                    "label": categories.get(key, _("Unclassified")),
                    "minutes": seconds / MINUTE,
                }
                for key, seconds in sorted(self.by_category.items(), key=lambda kv: -kv[1])
            ],
            "actual_production_minutes": run / MINUTE,
            "uncounted_run_minutes": (run - counted_run) / MINUTE,
            "speed_loss_minutes": None if speed_loss is None else speed_loss / MINUTE,
            "quality_loss_minutes": (self.ideal - self.ideal_good) / MINUTE
            if self.records
            else None,
            "fully_productive_minutes": self.ideal_good / MINUTE if self.records else None,
            "production_records": self.records,
            "produced": self.produced,
            "good": self.good,
            "availability": availability,
            "performance": performance,
            "quality": quality,
            "oee": oee,
            "teep": teep,
            "performance_above_ideal": performance is not None and performance > 1,
        }


def oee(*, start, end, line=None, site=None, group=None, now=None) -> dict:
    """OEE of one line or of a site's lines over [start, end); see the module docstring.

    ``group`` adds ``rows``: per local ``day``, per ``week`` (from Monday) or per ``shift``
    pattern. The totals of a site add up the minutes and counts of its lines."""
    if (line is None) == (site is None):
        raise ValueError("Give either a line or a site.")
    if group not in (None, *GROUPS):
        raise ValueError(f"Unknown group {group!r}.")
    site = site or line.area.site
    zone = site.zone
    now = now or timezone.now()
    end = min(end, now).astimezone(datetime.UTC)
    start = min(start, end).astimezone(datetime.UTC)
    if group in ("day", "week"):
        groups = buckets(start, end, group, zone) if end > start else []
    else:
        groups = [Bucket(None, "", start, end)]
    raw, line_count = _aggregates(start, end, groups, line=line, site=site, now=now, group=group)
    categories = dict(
        ReasonCode.objects.filter(pk__in={k for t in raw.values() for k in t.by_category})
        .values_list("pk", "name")
        .iterator()
    )
    period_seconds = (end - start).total_seconds()
    total = Totals()
    for part in raw.values():
        total.add(part)
    total.calendar = period_seconds * line_count
    result = {"start": start, "end": end, "group": group, **total.figures(categories)}
    if group == "shift":
        patterns = ShiftPattern.objects.filter(site=site).order_by("start_time", "name")
        result["rows"] = []
        for pattern in patterns:
            part = raw.get(pattern.pk)
            if part is None and not pattern.active:
                continue
            part = part or Totals()
            # A pattern's calendar is its own shift time: TEEP compares shifts with shifts.
            part.calendar = part.shifts
            result["rows"].append(
                {"key": pattern.pk, "label": pattern.name, **part.figures(categories)}
            )
    elif group:
        result["rows"] = []
        for index, bucket in enumerate(groups):
            part = raw.get(index) or Totals()
            part.calendar = (bucket.end - bucket.start).total_seconds() * line_count
            result["rows"].append(
                {
                    "key": bucket.key,
                    "label": bucket.label,
                    "start": bucket.start,
                    "end": bucket.end,
                    **part.figures(categories),
                }
            )
    return result


def scope_condition(column: str, *, line=None, site=None) -> tuple[str, dict]:
    """SQL condition that ``column`` (a line id) lies in the scope, and its parameters."""
    if line is not None:
        return f"{column} = %(scope_line)s", {"scope_line": line.pk}
    lines, areas = Line._meta.db_table, Area._meta.db_table
    return (
        f"{column} IN (SELECT sl.id FROM {lines} sl JOIN {areas} sa ON sa.id = sl.area_id "
        "WHERE sa.site_id = %(scope_site)s)",
        {"scope_site": site.pk},
    )


def _aggregates(start, end, groups, *, line, site, now, group):
    """{group key: Totals} from one query, and the number of lines in scope."""
    epoch, greatest, least = sql.dialect()
    shifts = Shift._meta.db_table
    production = ProductionRecord._meta.db_table
    incidents = DowntimeIncident._meta.db_table
    reasons = ReasonCode._meta.db_table
    machines = Equipment._meta.db_table
    in_scope, params = scope_condition("line_id", line=line, site=site)
    machine_in_scope, _params = scope_condition("q.line_id", line=line, site=site)
    params.update(sql.period_params(start, end, now))
    values = []
    for index, bucket in enumerate(groups):
        # Typed: PostgreSQL would take untyped parameters in VALUES for text.
        values.append(
            f"(CAST(%(g{index})s AS INTEGER), CAST(%(gs{index})s AS DOUBLE PRECISION), "
            f"CAST(%(ge{index})s AS DOUBLE PRECISION))"
        )
        params.update(
            {
                f"g{index}": index,
                f"gs{index}": sql.epoch(bucket.start),
                f"ge{index}": sql.epoch(bucket.end),
            }
        )
    if not values:
        return {}, 1
    key = "sh.pattern_id" if group == "shift" else "grp.g"
    # Typed NULLs: PostgreSQL reads an untyped NULL in a UNION as text.
    no_int, no_num = "CAST(NULL AS INTEGER)", "CAST(NULL AS DOUBLE PRECISION)"
    query = f"""
        WITH grp(g, gs, ge) AS (VALUES {", ".join(values)}),
        sh AS (
            SELECT s.id, s.line_id, s.pattern_id,
                   {epoch("s.starts_at")} AS ss, {epoch("s.ends_at")} AS se,
                   CASE WHEN EXISTS (SELECT 1 FROM {production} c WHERE c.shift_id = s.id)
                        THEN 1 ELSE 0 END AS counted
            FROM {shifts} s
            WHERE {in_scope.replace("line_id", "s.line_id", 1)}
              AND s.starts_at < %(end)s AND s.ends_at > %(start)s
        ),
        win AS (
            SELECT sh.id AS shift_id, sh.line_id, {key} AS g,
                   {greatest}(sh.ss, grp.gs) AS ws, {least}(sh.se, grp.ge) AS we,
                   sh.ss, {least}(sh.se, %(now)s) AS sn, sh.counted
            FROM sh JOIN grp ON sh.ss < grp.ge AND sh.se > grp.gs
        ),
        inc AS (
            SELECT q.line_id,
                   CASE WHEN r.kind = 'planned' THEN 1 ELSE 0 END AS planned,
                   COALESCE(r.parent_id, r.id) AS category,
                   {greatest}({epoch("i.started_at")}, %(s0)s) AS s,
                   {least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s) AS e,
                   i.started_at AS t_start, COALESCE(i.ended_at, %(end)s) AS t_end
            FROM {incidents} i
            JOIN {machines} q ON q.id = i.equipment_id
            LEFT JOIN {reasons} r ON r.id = i.reason_id
            WHERE {machine_in_scope}
              AND q.line_id IN (SELECT line_id FROM sh)
              AND i.started_at < %(end)s
              AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
              AND {sql.current(incidents, "i")}
        ),
        hits AS MATERIALIZED (
            SELECT inc.*, s2.id AS shift_id FROM inc {sql.join_shifts_overlapping("s2", "inc")}
        ),
        pieces AS (
            SELECT win.line_id, win.g, win.counted, hits.planned, hits.category,
                   {greatest}(hits.s, win.ws) AS ps, {least}(hits.e, win.we) AS pe
            FROM hits
            JOIN win ON win.shift_id = hits.shift_id AND hits.s < win.we AND hits.e > win.ws
        ),
        ordered AS (
            SELECT g, counted, planned, category, ps, pe,
                   MAX(pe) OVER (PARTITION BY line_id, g ORDER BY ps, planned DESC, pe
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
            FROM pieces
        )
        SELECT 'shifts', g, {no_int}, SUM(we - ws),
               SUM(CASE WHEN counted = 1 THEN we - ws ELSE 0 END),
               {no_num}, {no_num}, {no_num}, {no_int}
          FROM win GROUP BY g
        UNION ALL
        SELECT 'production', win.g, {no_int},
               SUM(p.produced_count * (win.we - win.ws) / (win.sn - win.ss)),
               SUM(p.good_count * (win.we - win.ws) / (win.sn - win.ss)),
               SUM(p.ideal_cycle_time_s * p.produced_count * (win.we - win.ws) / (win.sn - win.ss)),
               SUM(p.ideal_cycle_time_s * p.good_count * (win.we - win.ws) / (win.sn - win.ss)),
               SUM(p.planned_stop_minutes * 60.0 * (win.we - win.ws) / (win.sn - win.ss)),
               COUNT(*)
          FROM win JOIN {production} p ON p.shift_id = win.shift_id
         WHERE {sql.current(production, "p")}
         GROUP BY win.g
        UNION ALL
        SELECT 'down', g, planned, category,
               SUM({greatest}(0, pe - {greatest}(ps, COALESCE(prev, ps)))),
               SUM(CASE WHEN counted = 1
                        THEN {greatest}(0, pe - {greatest}(ps, COALESCE(prev, ps))) ELSE 0 END),
               {no_num}, {no_num}, {no_int}
          FROM ordered GROUP BY g, planned, category
        UNION ALL
        SELECT 'lines', {no_int}, {no_int}, COUNT(*),
               {no_num}, {no_num}, {no_num}, {no_num}, {no_int}
          FROM {Line._meta.db_table} WHERE {in_scope.replace("line_id", "id", 1)}
    """
    raw: dict = {}
    line_count = 1

    def seconds(value):
        # SQLite's julianday() carries ~0.1 ms of float noise: whole milliseconds are exact.
        return round(float(value or 0), 3)

    for kind, g, planned, a, b, c, d, e, f in sql.rows(query, params):
        if kind == "lines":
            line_count = int(a or 0)
            continue
        totals = raw.setdefault(g, Totals())
        if kind == "shifts":
            totals.shifts, totals.counted_shifts = seconds(a), seconds(b)
        elif kind == "production":
            totals.produced, totals.good = float(a or 0), float(b or 0)
            totals.ideal, totals.ideal_good = seconds(c), seconds(d)
            totals.planned_stops, totals.records = seconds(e), int(f or 0)
        elif int(planned):
            totals.planned_incidents += seconds(b)
            totals.counted_planned_incidents += seconds(c)
        else:
            totals.unplanned += seconds(b)
            totals.counted_unplanned += seconds(c)
            category = None if a is None else int(a)
            totals.by_category[category] = totals.by_category.get(category, 0.0) + seconds(b)
    return raw, line_count
