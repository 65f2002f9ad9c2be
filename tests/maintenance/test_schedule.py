"""Due dates of PM schedules: pure functions, no database."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from logbook.maintenance.schedule import (
    add_interval,
    is_on_time,
    next_calendar_due,
    next_meter_due,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "count", "unit", "expected"),
    [
        (D(2026, 1, 31), 1, "months", D(2026, 2, 28)),
        (D(2028, 1, 31), 1, "months", D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, "months", D(2026, 4, 30)),
        (D(2026, 11, 30), 3, "months", D(2027, 2, 28)),
        (D(2026, 12, 15), 1, "months", D(2027, 1, 15)),
        (D(2028, 2, 29), 12, "months", D(2029, 2, 28)),
        (D(2026, 2, 28), 2, "weeks", D(2026, 3, 14)),
        (D(2028, 2, 28), 1, "days", D(2028, 2, 29)),
        (D(2026, 12, 31), 1, "days", D(2027, 1, 1)),
    ],
)
def test_intervals_on_the_calendar(day, count, unit, expected):
    assert add_interval(day, count, unit) == expected


def test_a_floating_schedule_counts_from_the_last_completion():
    common = {"interval": 1, "unit": "months", "anchor": "floating", "anchor_date": D(2026, 1, 1)}
    assert next_calendar_due(**common) == D(2026, 1, 1)
    assert next_calendar_due(**common, last_done=D(2026, 1, 9)) == D(2026, 2, 9)


def test_a_floating_task_done_early_falls_due_again_on_a_new_day():
    due = next_calendar_due(
        interval=1,
        unit="days",
        anchor="floating",
        anchor_date=D(2026, 6, 1),
        last_done=D(2026, 6, 14),
        last_due=D(2026, 6, 15),
    )
    assert due == D(2026, 6, 16)


def test_a_fixed_schedule_keeps_its_series_whenever_the_work_is_done():
    common = {"interval": 1, "unit": "months", "anchor": "fixed", "anchor_date": D(2026, 1, 31)}
    assert next_calendar_due(**common) == D(2026, 1, 31)
    # Done late on 9 February: the next is still due on the series, not a month after.
    assert next_calendar_due(**common, last_done=D(2026, 2, 9), last_due=D(2026, 1, 31)) == D(
        2026, 2, 28
    )
    # Month ends do not drift: 28 Feb is followed by 31 Mar, not 28 Mar.
    assert next_calendar_due(**common, last_due=D(2026, 2, 28)) == D(2026, 3, 31)


def test_a_weekly_fixed_schedule_stays_on_its_weekday():
    due = next_calendar_due(
        interval=2, unit="weeks", anchor="fixed", anchor_date=D(2026, 1, 5), last_due=D(2026, 3, 2)
    )
    assert due == D(2026, 3, 16) and due.weekday() == 0


def test_a_due_date_does_not_move_across_a_clock_change():
    # Counting in dates: a daily task due each day at the site, whatever the offset.
    due = next_calendar_due(
        interval=1,
        unit="days",
        anchor="floating",
        anchor_date=D(2026, 3, 1),
        last_done=D(2026, 3, 28),
    )
    assert due == D(2026, 3, 29)  # the EU spring-forward day
    start_of_day = datetime.datetime.combine(
        due, datetime.time(0), tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert start_of_day.utcoffset() == datetime.timedelta(hours=1)


def test_a_meter_schedule_is_projected_from_the_recent_rate():
    due = next_meter_due(
        interval=Decimal(500),
        last_done_value=Decimal(1000),
        current_value=Decimal(1300),
        rate_per_day=Decimal(20),
        today=D(2026, 6, 15),
    )
    assert due == D(2026, 6, 25)  # 200 h to go at 20 h a day
    rounded_up = next_meter_due(
        interval=Decimal(500),
        last_done_value=Decimal(1000),
        current_value=Decimal(1301),
        rate_per_day=Decimal(20),
        today=D(2026, 6, 15),
    )
    assert rounded_up == D(2026, 6, 25)


def test_a_meter_past_its_target_is_due_today():
    assert next_meter_due(
        interval=Decimal(500),
        last_done_value=Decimal(1000),
        current_value=Decimal(1600),
        rate_per_day=Decimal(20),
        today=D(2026, 6, 15),
    ) == D(2026, 6, 15)


def test_a_meter_that_stands_still_has_no_due_date():
    assert (
        next_meter_due(
            interval=Decimal(500),
            last_done_value=Decimal(1000),
            current_value=Decimal(1100),
            rate_per_day=None,
            today=D(2026, 6, 15),
        )
        is None
    )


def test_the_tolerance_window_is_inclusive():
    assert is_on_time(D(2026, 6, 12), D(2026, 6, 15), 3)
    assert is_on_time(D(2026, 6, 18), D(2026, 6, 15), 3)
    assert not is_on_time(D(2026, 6, 19), D(2026, 6, 15), 3)
    assert not is_on_time(D(2026, 6, 11), D(2026, 6, 15), 3)


def test_a_zero_interval_is_refused():
    with pytest.raises(ValueError):
        next_calendar_due(interval=0, unit="days", anchor="floating", anchor_date=D(2026, 1, 1))
