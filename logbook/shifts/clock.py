"""Shift times: wall-clock patterns turned into exact instants, across midnight and DST.

Pure functions, no database. A pattern says "22:00 to 06:00" in the site's local time; a shift
is that pattern on a date (the local date it starts). Its instants are computed in the site's
zone and compared in UTC, so a night shift crosses midnight, and on the nights the clocks change
it lasts 7 hours (spring forward) or 9 hours (fall back), not 8.
"""

import datetime
from zoneinfo import ZoneInfo

UTC = datetime.UTC


def local_instant(day: datetime.date, wall: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """Return the UTC instant of the wall-clock time ``wall`` on ``day`` in ``zone``.

    A wall time that happens twice (the hour the clocks go back) is its first occurrence
    (fold=0). One that does not happen (the hour the clocks skip) is read with the offset in
    force before the change, which lands it just after the gap: 02:30 on a spring-forward
    night in Berlin is 03:30 CEST, the moment a clock on the wall would show it.
    """
    return datetime.datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def shift_window(
    day: datetime.date, start: datetime.time, end: datetime.time, zone: ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return (starts_at, ends_at) in UTC of a pattern ``start``–``end`` worked on ``day``.

    An end at or before the start is on the next local day (a night shift; equal times make a
    24-hour shift).
    """
    end_day = day if end > start else day + datetime.timedelta(days=1)
    return local_instant(day, start, zone), local_instant(end_day, end, zone)


def duration_minutes(starts_at: datetime.datetime, ends_at: datetime.datetime) -> int:
    """Return the exact length in whole minutes between two aware instants.

    Both are taken to UTC first: Python subtracts two times of the same zone by their wall
    clocks, which on the night the clocks go back loses the repeated hour.
    """
    return int((ends_at.astimezone(UTC) - starts_at.astimezone(UTC)).total_seconds() // 60)


def current_slot(patterns, now: datetime.datetime, zone: ZoneInfo):
    """Return (pattern, local start date) of the shift running at ``now``, or None.

    ``patterns`` have ``start_time`` and ``end_time``. A night shift that began yesterday is
    still running after midnight, so yesterday's date is tried too.
    """
    today = now.astimezone(zone).date()
    for day in (today, today - datetime.timedelta(days=1)):
        for pattern in patterns:
            starts_at, ends_at = shift_window(day, pattern.start_time, pattern.end_time, zone)
            if starts_at <= now < ends_at:
                return pattern, day
    return None
