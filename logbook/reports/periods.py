"""Report periods and interval arithmetic, without a database (tested in tests/reports/).

Every report reads a half-open period [start, end) of aware datetimes. A named period is laid in
the site's zone: "today" is the site's local day, whatever the server's clock says, and a day on
which the clocks change is 23 or 25 hours long, not 24. Records are clipped to the period, and
stops that overlap on one line count once (their union), as DESIGN's KPI rules ask.
"""

import datetime
import itertools
from collections.abc import Iterable
from enum import StrEnum
from zoneinfo import ZoneInfo

Interval = tuple[datetime.datetime, datetime.datetime]


class NamedPeriod(StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"


def _midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    # Local midnight of ``day`` in ``zone`` (aware). Midnight exists on every DST change of the
    # zones plants use (the clocks move at 01:00–03:00), so no fold or gap needs handling here.
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


def named_period(name: str, zone: ZoneInfo, now: datetime.datetime) -> Interval:
    """[start, end) of the named period around ``now`` in ``zone``. Periods that include today
    end at the end of today (the report itself stops counting at ``now``: ``until_now``)."""
    today = now.astimezone(zone).date()
    period = NamedPeriod(name)
    if period is NamedPeriod.TODAY:
        first, after = today, today + datetime.timedelta(days=1)
    elif period is NamedPeriod.YESTERDAY:
        first, after = today - datetime.timedelta(days=1), today
    elif period is NamedPeriod.LAST_7_DAYS:
        first, after = today - datetime.timedelta(days=6), today + datetime.timedelta(days=1)
    elif period is NamedPeriod.THIS_MONTH:
        first = today.replace(day=1)
        after = (first + datetime.timedelta(days=32)).replace(day=1)
    else:  # last month
        after = today.replace(day=1)
        first = (after - datetime.timedelta(days=1)).replace(day=1)
    return _midnight(first, zone), _midnight(after, zone)


def until_now(period: Interval, now: datetime.datetime) -> Interval:
    """The period cut at ``now`` (in UTC): what has happened of it so far (empty if ahead)."""
    start, end = _utc(period)
    now = now.astimezone(datetime.UTC)
    return start, min(end, max(start, now))


def _utc(interval: Interval) -> Interval:
    # Python subtracts and compares two datetimes of the *same* zone by their wall clocks, which
    # is wrong across a DST change (a 23-hour day would come out as 24): do it in UTC.
    return interval[0].astimezone(datetime.UTC), interval[1].astimezone(datetime.UTC)


def minutes(interval: Interval) -> float:
    """The length of ``interval`` in minutes (elapsed time: DST days are 23 or 25 hours)."""
    start, end = _utc(interval)
    return max(0.0, (end - start).total_seconds() / 60)


def clip(interval: Interval, period: Interval) -> Interval | None:
    """``interval`` cut to ``period`` (in UTC); None when they do not overlap."""
    interval, period = _utc(interval), _utc(period)
    start, end = max(interval[0], period[0]), min(interval[1], period[1])
    return (start, end) if start < end else None


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged, in time order, in UTC (stops of one line
    count once)."""
    merged: list[Interval] = []
    for start, end in sorted(_utc(interval) for interval in intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def split(interval: Interval, boundaries: Iterable[datetime.datetime]) -> list[Interval]:
    """``interval`` cut at each boundary inside it (shift changes): consecutive pieces, in UTC."""
    start, end = _utc(interval)
    moments = {moment.astimezone(datetime.UTC) for moment in boundaries}
    cuts = sorted(moment for moment in moments if start < moment < end)
    return list(itertools.pairwise([start, *cuts, end]))
