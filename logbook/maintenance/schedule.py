"""Due dates of preventive maintenance. Pure functions on dates, no database.

Calendar intervals are counted in local dates (a "monthly" task is due on the same day of the
month, a weekly one on the same weekday), so clock changes never move a due date; the due
date becomes an instant only when it is shown or compared, in the site's zone.
"""

import calendar
import datetime
import math
from decimal import Decimal

DAYS, WEEKS, MONTHS, METER = "days", "weeks", "months", "meter"
FIXED, FLOATING = "fixed", "floating"


def add_interval(day: datetime.date, count: int, unit: str) -> datetime.date:
    """Return ``day`` plus ``count`` days, weeks or months.

    Months keep the day of the month where it exists and fall back to the month's last day
    where it does not: 31 January + 1 month = 28 (or, in a leap year, 29) February.
    """
    if unit == DAYS:
        return day + datetime.timedelta(days=count)
    if unit == WEEKS:
        return day + datetime.timedelta(weeks=count)
    if unit == MONTHS:
        months = day.year * 12 + (day.month - 1) + count
        year, month = divmod(months, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return datetime.date(year, month + 1, min(day.day, last))
    raise ValueError(f"not a calendar unit: {unit}")


def next_calendar_due(
    *,
    interval: int,
    unit: str,
    anchor: str,
    anchor_date: datetime.date,
    last_done: datetime.date | None = None,
    last_due: datetime.date | None = None,
) -> datetime.date:
    """Return the next due date of a calendar schedule.

    Floating: ``interval`` after the last completion (the anchor date before the first one),
    and always after the last occurrence that was due.
    Fixed: the first date of the series anchor_date + k × interval after the last occurrence
    that was due (each counted from the anchor, so month ends do not drift: 31 Jan, 28 Feb,
    31 Mar…).
    """
    if interval <= 0:
        raise ValueError("the interval must be positive")
    if anchor == FLOATING:
        if last_done is None:
            return anchor_date
        candidate = add_interval(last_done, interval, unit)
        if last_due is not None and candidate <= last_due:
            # Done early (a daily task done the day before it was due): the next one is still
            # a new occurrence, not the one just done again.
            candidate = add_interval(last_due, interval, unit)
        return candidate
    if last_due is None:
        return anchor_date
    k = 1
    while (candidate := add_interval(anchor_date, k * interval, unit)) <= last_due:
        k += 1
    return candidate


def next_meter_due(
    *,
    interval: Decimal,
    last_done_value: Decimal,
    current_value: Decimal,
    rate_per_day: Decimal | None,
    today: datetime.date,
) -> datetime.date | None:
    """Project when a meter schedule falls due from the meter's recent rate.

    Due at ``last_done_value + interval``. Already reached: today. No rate (the meter stands
    still or has too few readings): None, the date is unknown.
    """
    target = last_done_value + interval
    if current_value >= target:
        return today
    if not rate_per_day or rate_per_day <= 0:
        return None
    days = (target - current_value) / rate_per_day
    return today + datetime.timedelta(days=math.ceil(days))


def window(due: datetime.date, tolerance_days: int) -> tuple[datetime.date, datetime.date]:
    """The dates (inclusive) on which doing the work still counts as on time."""
    tolerance = datetime.timedelta(days=tolerance_days)
    return due - tolerance, due + tolerance


def is_on_time(done: datetime.date, due: datetime.date, tolerance_days: int) -> bool:
    earliest, latest = window(due, tolerance_days)
    return earliest <= done <= latest
