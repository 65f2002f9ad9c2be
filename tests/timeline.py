"""The fixed moment shift tests happen at: mid-morning of an ordinary June Monday in Berlin."""

import datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=BERLIN)  # the early shift is running
TODAY = NOW.date()


def at(hour, minute=0, day=TODAY):
    """That wall-clock time at the Berlin site (today by default)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)
