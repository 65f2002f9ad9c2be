"""Shift windows across midnight and across both clock changes of two real zones (no database)."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from logbook.shifts.clock import current_slot, duration_minutes, local_instant, shift_window

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
T = datetime.time
D = datetime.date
UTC = datetime.UTC


def test_a_day_shift_is_eight_hours_in_local_time():
    starts, ends = shift_window(D(2026, 6, 15), T(6), T(14), BERLIN)
    assert starts == datetime.datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # CEST = UTC+2
    assert duration_minutes(starts, ends) == 480


def test_a_night_shift_crosses_midnight():
    starts, ends = shift_window(D(2026, 6, 15), T(22), T(6), CHICAGO)
    assert starts.astimezone(CHICAGO) == datetime.datetime(2026, 6, 15, 22, tzinfo=CHICAGO)
    assert ends.astimezone(CHICAGO) == datetime.datetime(2026, 6, 16, 6, tzinfo=CHICAGO)
    assert duration_minutes(starts, ends) == 480


@pytest.mark.parametrize(
    ("zone", "night_before_change", "minutes"),
    [
        (CHICAGO, D(2026, 3, 7), 7 * 60),  # US clocks spring forward on 8 March 2026
        (CHICAGO, D(2026, 10, 31), 9 * 60),  # and fall back on 1 November 2026
        (BERLIN, D(2026, 3, 28), 7 * 60),  # EU clocks spring forward on 29 March 2026
        (BERLIN, D(2026, 10, 24), 9 * 60),  # and fall back on 25 October 2026
    ],
)
def test_the_night_shift_over_a_clock_change_is_7_or_9_hours(zone, night_before_change, minutes):
    starts, ends = shift_window(night_before_change, T(22), T(6), zone)
    assert duration_minutes(starts, ends) == minutes
    # The day shifts of that date are unaffected.
    assert duration_minutes(*shift_window(night_before_change, T(6), T(14), zone)) == 480


def test_the_same_pattern_is_a_different_instant_in_each_zone():
    chicago = shift_window(D(2026, 1, 10), T(6), T(14), CHICAGO)[0]
    berlin = shift_window(D(2026, 1, 10), T(6), T(14), BERLIN)[0]
    assert chicago - berlin == datetime.timedelta(hours=7)


def test_equal_start_and_end_make_a_24_hour_shift():
    assert duration_minutes(*shift_window(D(2026, 5, 1), T(7), T(7), BERLIN)) == 24 * 60


def test_a_wall_time_in_the_skipped_hour_lands_after_the_gap():
    instant = local_instant(D(2026, 3, 29), T(2, 30), BERLIN)
    assert instant == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_an_ambiguous_wall_time_is_its_first_occurrence():
    instant = local_instant(D(2026, 10, 25), T(2, 30), BERLIN)
    assert instant == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


PATTERNS = [
    SimpleNamespace(name="Early", start_time=T(6), end_time=T(14)),
    SimpleNamespace(name="Late", start_time=T(14), end_time=T(22)),
    SimpleNamespace(name="Night", start_time=T(22), end_time=T(6)),
]


@pytest.mark.parametrize(
    ("local", "name", "day"),
    [
        (datetime.datetime(2026, 6, 15, 6, 0), "Early", D(2026, 6, 15)),
        (datetime.datetime(2026, 6, 15, 13, 59), "Early", D(2026, 6, 15)),
        (datetime.datetime(2026, 6, 15, 14, 0), "Late", D(2026, 6, 15)),
        (datetime.datetime(2026, 6, 15, 23, 30), "Night", D(2026, 6, 15)),
        (datetime.datetime(2026, 6, 16, 3, 0), "Night", D(2026, 6, 15)),
    ],
)
def test_the_current_slot_follows_the_local_clock(local, name, day):
    now = local.replace(tzinfo=CHICAGO)
    pattern, start_day = current_slot(PATTERNS, now, CHICAGO)
    assert (pattern.name, start_day) == (name, day)


def test_no_slot_between_two_patterns():
    patterns = [SimpleNamespace(start_time=T(6), end_time=T(14))]
    assert current_slot(patterns, datetime.datetime(2026, 6, 15, 20, tzinfo=BERLIN), BERLIN) is None


def test_minutes_between_two_wall_times_of_one_zone_count_the_repeated_hour():
    start = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
    end = datetime.datetime(2026, 10, 25, 3, 30, tzinfo=BERLIN)
    assert duration_minutes(start, end) == 180
