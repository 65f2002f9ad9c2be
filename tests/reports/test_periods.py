"""Report periods in the site's zone and interval arithmetic, by hand-computed cases."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from logbook.reports.periods import clip, minutes, named_period, split, union, until_now

BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")
UTC = datetime.UTC


def at(day, hour=0, minute=0, zone=BERLIN):
    return datetime.datetime(2026, *day, hour, minute, tzinfo=zone)


def test_today_is_the_sites_local_day_not_the_servers():
    # 23:30 UTC on 14 June is already 15 June in Berlin, still 14 June (18:30) in Chicago.
    now = datetime.datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
    assert named_period("today", BERLIN, now) == (at((6, 15)), at((6, 16)))
    assert named_period("today", CHICAGO, now) == (
        at((6, 14), zone=CHICAGO),
        at((6, 15), zone=CHICAGO),
    )


@pytest.mark.parametrize(
    ("name", "first", "after"),
    [
        ("yesterday", (6, 14), (6, 15)),
        ("last_7_days", (6, 9), (6, 16)),
        ("this_month", (6, 1), (7, 1)),
        ("last_month", (5, 1), (6, 1)),
    ],
)
def test_named_periods_are_whole_local_days(name, first, after):
    now = at((6, 15), 10)
    assert named_period(name, BERLIN, now) == (at(first), at(after))


def test_last_month_in_january_is_december_of_the_year_before():
    now = datetime.datetime(2027, 1, 10, 8, tzinfo=BERLIN)
    start, end = named_period("last_month", BERLIN, now)
    assert (start.date(), end.date()) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))


def test_a_day_on_which_the_clocks_change_is_23_or_25_hours():
    spring = named_period("today", BERLIN, at((3, 29), 12))
    autumn = named_period("today", BERLIN, at((10, 25), 12))
    assert minutes(spring) == 23 * 60
    assert minutes(autumn) == 25 * 60


def test_a_stop_over_the_autumn_night_counts_its_real_length():
    # 00:30 → 04:30 local on 25 October 2026 holds the repeated hour: 5 hours, not 4.
    stop = (at((10, 25), 0, 30), at((10, 25), 4, 30))
    assert minutes(stop) == 5 * 60
    night = (at((10, 24), 22), at((10, 25), 6))
    assert minutes(clip(stop, night)) == 5 * 60


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError):
        named_period("fortnight", BERLIN, at((6, 15)))


def test_a_period_that_includes_today_counts_only_until_now():
    today = named_period("today", BERLIN, at((6, 15), 10))
    assert until_now(today, at((6, 15), 10)) == (at((6, 15)), at((6, 15), 10))
    # A period still ahead has happened for no time at all.
    assert minutes(until_now(today, at((6, 14), 10))) == 0


def test_records_are_clipped_to_the_period():
    period = (at((6, 15), 6), at((6, 15), 14))
    assert clip((at((6, 15), 5), at((6, 15), 7)), period) == (at((6, 15), 6), at((6, 15), 7))
    assert clip((at((6, 15), 13), at((6, 15), 15)), period) == (at((6, 15), 13), at((6, 15), 14))
    assert clip((at((6, 15), 14), at((6, 15), 15)), period) is None  # half-open: ends at 14:00


def test_overlapping_stops_of_a_line_count_once():
    stops = [
        (at((6, 15), 8), at((6, 15), 9)),
        (at((6, 15), 8, 30), at((6, 15), 10)),  # overlaps the first
        (at((6, 15), 10), at((6, 15), 10, 15)),  # touches it
        (at((6, 15), 12), at((6, 15), 12, 5)),
    ]
    merged = union(stops)
    assert merged == [(at((6, 15), 8), at((6, 15), 10, 15)), (at((6, 15), 12), at((6, 15), 12, 5))]
    assert sum(minutes(piece) for piece in merged) == 135 + 5


def test_a_stop_across_a_shift_change_is_split_at_it():
    stop = (at((6, 15), 13, 30), at((6, 15), 14, 45))
    pieces = split(stop, [at((6, 15), 6), at((6, 15), 14), at((6, 15), 22)])
    assert pieces == [
        (at((6, 15), 13, 30), at((6, 15), 14)),
        (at((6, 15), 14), at((6, 15), 14, 45)),
    ]
    assert [minutes(piece) for piece in pieces] == [30, 45]
