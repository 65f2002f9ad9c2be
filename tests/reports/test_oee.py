"""OEE against a published worked example and hand-computed cases (Berlin, DESIGN.md terms)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from logbook.downtime.models import DowntimeIncident
from logbook.reports.oee import oee
from logbook.shifts.models import ProductionRecord, Shift
from tests.factories import EquipmentFactory, LineFactory

BERLIN = ZoneInfo("Europe/Berlin")
D = datetime.date(2026, 6, 15)
LATER = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)


def t(hour, minute=0, day=0, date=D):
    base = datetime.datetime.combine(
        date + datetime.timedelta(days=day), datetime.time(0), tzinfo=BERLIN
    )
    return base + datetime.timedelta(hours=hour, minutes=minute)


def day_of(date=D, **kwargs):
    return {"start": t(0, date=date), "end": t(0, day=1, date=date), "now": LATER, **kwargs}


def worked(line, pattern, date, technician):
    shift = Shift(line=line, pattern=pattern, date=date, started_by=technician)
    shift.compute_window()
    shift.save()
    return shift


def counts(shift, produced, good, ideal_s, planned_minutes=0, user=None):
    return ProductionRecord.objects.create(
        shift=shift,
        product="Cola",
        produced_count=produced,
        good_count=good,
        ideal_cycle_time_s=ideal_s,
        planned_stop_minutes=planned_minutes,
        recorded_by=user or shift.started_by,
    )


def down(equipment, start, end, reason=None):
    return DowntimeIncident.objects.create(
        equipment=equipment, started_at=start, ended_at=end, reason=reason
    )


def test_the_published_worked_example(line, filler, patterns, technician, reasons):
    """oee.com's example: an 8-hour shift, 60 minutes of breaks, 47 minutes down, 60 parts a
    minute ideal, 19,271 made and 423 rejected: A 88.81 %, P 86.11 %, Q 97.80 %, OEE 74.79 %."""
    shift = worked(line, patterns["Early"], D, technician)
    counts(shift, 19271, 19271 - 423, 1, planned_minutes=60)
    down(filler, t(9), t(9, 47), reasons["jam"])
    figures = oee(line=line, **day_of())
    assert figures["calendar_minutes"] == 1440
    assert figures["planned_busy_minutes"] == 420
    assert figures["actual_production_minutes"] == 373
    assert figures["availability"] == pytest.approx(0.8881, abs=5e-5)
    assert figures["performance"] == pytest.approx(0.8611, abs=5e-5)
    assert figures["quality"] == pytest.approx(0.9780, abs=5e-5)
    assert figures["oee"] == pytest.approx(0.7479, abs=5e-5)
    assert figures["teep"] == pytest.approx(0.7479 * 420 / 1440, abs=5e-5)
    # The waterfall adds up: calendar = every loss + fully productive time.
    losses = (
        figures["not_scheduled_minutes"]
        + figures["planned_downtime_minutes"]
        + figures["unplanned_downtime_minutes"]
        + figures["speed_loss_minutes"]
        + figures["quality_loss_minutes"]
        + figures["fully_productive_minutes"]
    )
    assert losses == pytest.approx(1440)
    assert figures["fully_productive_minutes"] == pytest.approx(18848 / 60)


def test_planned_incidents_and_overlapping_stops(line, filler, patterns, technician, reasons):
    capper = EquipmentFactory(line=line, asset_tag="CAP-1", name="Capper")
    shift = worked(line, patterns["Early"], D, technician)  # 06:00–14:00
    counts(shift, 300, 285, 60, planned_minutes=30)
    down(filler, t(8), t(8, 45), reasons["jam"])
    down(capper, t(8, 30), t(9), reasons["jam"])  # overlaps: only 15 minutes more
    down(filler, t(12), t(12, 30), reasons["changeover"])  # planned
    down(filler, t(15), t(16), reasons["jam"])  # after the shift: no loss of planned time
    figures = oee(line=line, **day_of())
    assert figures["shift_minutes"] == 480
    assert figures["planned_downtime_minutes"] == 60
    assert figures["planned_busy_minutes"] == 420
    assert figures["unplanned_downtime_minutes"] == 60
    assert figures["actual_production_minutes"] == 360
    assert figures["availability"] == pytest.approx(360 / 420)
    assert figures["performance"] == pytest.approx(300 / 360)
    assert figures["quality"] == pytest.approx(0.95)
    assert figures["oee"] == pytest.approx(360 / 420 * 300 / 360 * 0.95)
    [category] = figures["unplanned_by_category"]
    assert (category["label"], category["minutes"]) == ("Failures", 60)


def test_a_stop_split_at_the_shift_change_and_clipped_at_the_period(
    line, filler, patterns, technician, reasons
):
    early = worked(line, patterns["Early"], D, technician)
    late = worked(line, patterns["Late"], D, technician)
    counts(early, 100, 100, 1)
    counts(late, 100, 100, 1)
    down(filler, t(13), t(15), reasons["jam"])  # one hour in each shift
    per_shift = oee(line=line, group="shift", **day_of())
    rows = {row["label"]: row for row in per_shift["rows"]}
    assert rows["Early"]["unplanned_downtime_minutes"] == 60
    assert rows["Late"]["unplanned_downtime_minutes"] == 60
    assert rows["Night"]["availability"] is None  # no night shift worked: no data
    # A period that ends at 14:30 sees 90 minutes of the stop.
    figures = oee(line=line, start=t(0), end=t(14, 30), now=LATER)
    assert figures["unplanned_downtime_minutes"] == 90
    assert figures["shift_minutes"] == 510


def test_no_data_is_none_not_zero(line, patterns):
    figures = oee(line=line, **day_of())
    assert figures["calendar_minutes"] == 1440
    for name in ("availability", "performance", "quality", "oee", "teep"):
        assert figures[name] is None


def test_a_shift_without_counts_has_availability_but_no_performance(
    line, filler, patterns, technician, reasons
):
    worked(line, patterns["Early"], D, technician)
    down(filler, t(7), t(8), reasons["jam"])
    figures = oee(line=line, **day_of())
    assert figures["availability"] == pytest.approx(420 / 480)
    assert figures["performance"] is None
    assert figures["oee"] is None


def test_performance_above_100_percent_is_shown_as_computed(line, patterns, technician):
    shift = worked(line, patterns["Early"], D, technician)
    counts(shift, 600, 600, 60)  # 600 minutes of ideal time in a 480-minute shift
    figures = oee(line=line, **day_of())
    assert figures["performance"] == pytest.approx(1.25)
    assert figures["performance_above_ideal"] is True
    assert figures["speed_loss_minutes"] == -120


def test_an_amended_count_replaces_the_original(line, patterns, technician):
    shift = worked(line, patterns["Early"], D, technician)
    first = counts(shift, 480, 400, 60)
    amended = counts(shift, 480, 470, 60)
    amended.amends = first
    amended.amend_reason = "Recount"
    amended.save()
    assert oee(line=line, **day_of())["quality"] == pytest.approx(470 / 480)


def test_the_night_shift_splits_its_counts_between_days(line, patterns, technician):
    night = worked(line, patterns["Night"], D, technician)  # 22:00–06:00
    counts(night, 800, 800, 30)
    figures = oee(line=line, start=t(0), end=t(0, day=2), now=LATER, group="day")
    first, second = figures["rows"]
    assert (first["key"], second["key"]) == (D, D + datetime.timedelta(days=1))
    assert (first["shift_minutes"], second["shift_minutes"]) == (120, 360)
    assert (first["produced"], second["produced"]) == pytest.approx((200, 600))
    assert figures["produced"] == pytest.approx(800)
    assert figures["calendar_minutes"] == 2880


def test_the_day_the_clocks_go_back_has_25_hours(line, patterns, technician):
    autumn = datetime.date(2026, 10, 25)
    night = worked(line, patterns["Night"], autumn - datetime.timedelta(days=1), technician)
    assert (night.ends_at - night.starts_at) == datetime.timedelta(hours=9)
    counts(night, 900, 900, 30)
    figures = oee(line=line, **day_of(autumn))
    assert figures["calendar_minutes"] == 25 * 60
    assert figures["shift_minutes"] == 7 * 60  # 00:00–06:00 local is 7 hours that night
    assert figures["produced"] == pytest.approx(700)


def test_the_period_stops_at_now_and_an_open_stop_runs_until_now(
    line, filler, patterns, technician, reasons
):
    shift = worked(line, patterns["Early"], D, technician)
    counts(shift, 100, 100, 60)
    DowntimeIncident.objects.create(equipment=filler, started_at=t(9), reason=reasons["jam"])
    figures = oee(line=line, start=t(0), end=t(0, day=1), now=t(10))
    assert figures["calendar_minutes"] == 600
    assert figures["shift_minutes"] == 240
    assert figures["unplanned_downtime_minutes"] == 60
    # The shift is still running: the counts so far belong to the part that has passed.
    assert figures["produced"] == pytest.approx(100)
    half = oee(line=line, start=t(0), end=t(8), now=t(10))
    assert half["produced"] == pytest.approx(50)


def test_a_site_adds_up_its_lines_and_leaves_other_sites_out(
    site, line, filler, other_line, other_equipment, patterns, technician, reasons
):
    second = LineFactory(area=line.area, code="L2", name="Glass line")
    worked(line, patterns["Early"], D, technician)
    worked(second, patterns["Early"], D, technician)
    down(filler, t(7), t(8), reasons["jam"])
    down(other_equipment, t(7), t(8), reasons["jam"])
    figures = oee(site=site, **day_of())
    assert figures["calendar_minutes"] == 2 * 1440
    assert figures["shift_minutes"] == 960
    assert figures["unplanned_downtime_minutes"] == 60
    assert figures["availability"] == pytest.approx(900 / 960)


def test_weeks_start_on_monday_and_every_day_has_a_row(line, patterns):
    # 2026-06-15 is a Monday; the 10 days to the 24th make two weeks, the second cut short.
    figures = oee(line=line, start=t(0), end=t(0, day=10), now=LATER, group="week")
    assert [row["key"] for row in figures["rows"]] == [D, D + datetime.timedelta(days=7)]
    assert [row["calendar_minutes"] for row in figures["rows"]] == [7 * 1440, 3 * 1440]
    days = oee(line=line, start=t(0), end=t(0, day=10), now=LATER, group="day")
    assert len(days["rows"]) == 10


def test_one_query_whatever_the_period(line, patterns, technician, django_assert_max_num_queries):
    worked(line, patterns["Early"], D, technician)
    with django_assert_max_num_queries(3):
        oee(line=line, start=t(0), end=t(0, day=365), now=LATER, group="day")


def test_performance_is_judged_on_the_shifts_that_recorded_counts(site, line, patterns, technician):
    utilities = LineFactory(area=line.area, code="U1", name="Utilities")
    counted = worked(line, patterns["Early"], D, technician)
    worked(utilities, patterns["Early"], D, technician)  # ran, but nobody counts there
    counts(counted, 240, 240, 60)  # 240 ideal minutes in a 480-minute shift
    figures = oee(site=site, **day_of())
    assert figures["availability"] == 1
    assert figures["performance"] == pytest.approx(0.5)  # not 240 / 960
    assert figures["uncounted_run_minutes"] == 480
    assert figures["speed_loss_minutes"] == 240
    # The waterfall still adds up: the run time without counts is a loss of its own.
    assert figures["actual_production_minutes"] == pytest.approx(
        figures["uncounted_run_minutes"]
        + figures["speed_loss_minutes"]
        + figures["quality_loss_minutes"]
        + figures["fully_productive_minutes"]
    )
