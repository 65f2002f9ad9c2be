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

from logbook.reports.reliability import reliability_table


def reliability(*, start, end, equipment=None, line=None, now=None) -> dict:
    """Reliability of one equipment or one line over [start, end). See the module docstring.

    The one query of ``logbook.reports.reliability`` with the whole period as its only group:
    each stop meets the few shifts it overlaps through the shift table's index."""
    if (equipment is None) == (line is None):
        raise ValueError("Give either an equipment or a line.")
    now = now or timezone.now()
    end = min(end, now)
    start = min(start, end)
    (row,) = reliability_table(
        start=start, end=end, by="period", equipment=equipment, line=line, now=now
    )
    availability = row["availability"]
    return {
        **{key: value for key, value in row.items() if key not in ("key", "label")},
        "start": start,
        "end": end,
        "availability": None if availability is None else round(availability, 4),
    }
