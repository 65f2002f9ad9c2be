"""Downtime Pareto and the acute/chronic chart, computed in the database.

Both read the **unplanned** stops (failures, and stops nobody has classified yet) of a line or a
site that overlap a half-open period [start, end), cut at now; an open stop runs until now. Each
stop counts with the part of it inside the period, on its own machine: unlike the OEE, stops of
two machines at once are not merged, because a Pareto ranks causes, not lost line time. Amended
incidents count in their amended version only.

- Pareto: minutes and count per reason, per equipment or per reason category, largest first,
  with the cumulative share of minutes (the 80 % line).
- Acute/chronic: per reason, the frequency (stops) and the mean duration (minutes). On log
  scales the chart splits at the geometric means of both: frequent and short stops are
  **chronic** (they eat performance in small bites: standard work, small fixes), rare and long
  ones are **acute** (a breakdown: root-cause analysis, spare parts), frequent and long ones are
  **both**, the rest are **minor**.
"""

import math

from django.utils import timezone
from django.utils.translation import gettext_lazy

from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Equipment
from logbook.reports import sql
from logbook.reports.oee import scope_condition

BY = ("reason", "equipment", "category")
UNCLASSIFIED = gettext_lazy("Unclassified")


def _stops(*, start, end, line, site, now, by):
    epoch, greatest, least = sql.dialect()
    incidents = DowntimeIncident._meta.db_table
    reasons = ReasonCode._meta.db_table
    machines = Equipment._meta.db_table
    in_scope, params = scope_condition("q.line_id", line=line, site=site)
    params.update(sql.period_params(start, end, now))
    key = {
        "reason": "r.id",
        "equipment": "q.id",
        "category": "COALESCE(r.parent_id, r.id)",
    }[by]
    query = f"""
        SELECT {key} AS k, COUNT(*),
               SUM({least}(COALESCE({epoch("i.ended_at")}, %(now)s), %(e0)s)
                   - {greatest}({epoch("i.started_at")}, %(s0)s))
        FROM {incidents} i
        JOIN {machines} q ON q.id = i.equipment_id
        LEFT JOIN {reasons} r ON r.id = i.reason_id
        WHERE {in_scope}
          AND (r.kind IS NULL OR r.kind = 'unplanned')
          AND i.started_at < %(end)s
          AND (i.ended_at IS NULL OR i.ended_at > %(start)s)
          AND {sql.current(incidents, "i")}
        GROUP BY {key}
    """
    return [
        (key, int(count), round(float(seconds or 0), 3) / 60)
        for key, count, seconds in sql.rows(query, params)
    ]


def _labels(by, keys) -> dict:
    ids = [key for key in keys if key is not None]
    model = Equipment if by == "equipment" else ReasonCode
    fields = ("pk", "asset_tag", "name") if by == "equipment" else ("pk", "code", "name")
    found = model.objects.filter(pk__in=ids).values_list(*fields)
    return {pk: (f"{code} – {name}", code) for pk, code, name in found}


def _window(start, end, now):
    end = min(end, now)
    return min(start, end), end


def pareto(*, start, end, by="reason", line=None, site=None, now=None) -> list[dict]:
    """Rows of ``key``, ``label``, ``minutes``, ``count``, ``share`` and ``cumulative_share``
    (of the minutes), largest first; see the module docstring. Two queries."""
    if by not in BY:
        raise ValueError(f"Unknown grouping {by!r}.")
    if (line is None) == (site is None):
        raise ValueError("Give either a line or a site.")
    now = now or timezone.now()
    start, end = _window(start, end, now)
    stops = _stops(start=start, end=end, line=line, site=site, now=now, by=by)
    labels = _labels(by, [key for key, _count, _minutes in stops])
    total = sum(minutes for _key, _count, minutes in stops)
    rows, running = [], 0.0
    unknown = (str(UNCLASSIFIED), str(UNCLASSIFIED))
    ordered = sorted(stops, key=lambda row: (-row[2], -row[1], labels.get(row[0], unknown)))
    for key, count, minutes in ordered:
        running += minutes
        label, short = labels.get(key, unknown)
        rows.append(
            {
                "key": key,
                "label": label,
                "short": short,
                "minutes": minutes,
                "count": count,
                "share": minutes / total if total else None,
                "cumulative_share": running / total if total else None,
            }
        )
    return rows


def acute_chronic(*, start, end, line=None, site=None, now=None) -> dict:
    """Each reason as a point: ``count`` × ``mean_minutes``, its ``quadrant`` (chronic, acute,
    both, minor), and the two split values (geometric means)."""
    rows = pareto(start=start, end=end, by="reason", line=line, site=site, now=now)
    points = [dict(row, mean_minutes=row["minutes"] / row["count"]) for row in rows if row["count"]]
    points = [point for point in points if point["mean_minutes"] > 0]
    if not points:
        return {"points": [], "count_split": None, "minutes_split": None}
    count_split = math.exp(sum(math.log(p["count"]) for p in points) / len(points))
    minutes_split = math.exp(sum(math.log(p["mean_minutes"]) for p in points) / len(points))
    for point in points:
        frequent = point["count"] >= count_split
        long = point["mean_minutes"] >= minutes_split
        point["quadrant"] = (
            "both" if frequent and long else "chronic" if frequent else "acute" if long else "minor"
        )
    return {"points": points, "count_split": count_split, "minutes_split": minutes_split}
