"""Reliability against hand-computed cases (hours; a day D in Berlin, DESIGN.md definitions)."""

import datetime
from zoneinfo import ZoneInfo

from logbook.downtime.models import DowntimeIncident
from logbook.reports.selectors import reliability
from logbook.shifts.models import Shift
from tests.factories import EquipmentFactory

BERLIN = ZoneInfo("Europe/Berlin")
D = datetime.date(2026, 6, 15)


def t(hour, minute=0, day=0):
    base = datetime.datetime.combine(
        D + datetime.timedelta(days=day), datetime.time(0), tzinfo=BERLIN
    )
    return base + datetime.timedelta(hours=hour, minutes=minute)


DAY = {"start": t(0), "end": t(0, day=1), "now": t(12, day=30)}


def down(equipment, start, end, reason=None):
    return DowntimeIncident.objects.create(
        equipment=equipment, started_at=start, ended_at=end, reason=reason
    )


def test_a_day_with_two_failures_and_a_planned_stop(filler, reasons):
    down(filler, t(2), t(3), reasons["jam"])
    down(filler, t(10), t(10, 30), reasons["jam"])
    down(filler, t(12), t(13), reasons["changeover"])
    figures = reliability(equipment=filler, **DAY)
    assert figures["scheduled_hours"] == 24
    assert figures["failures"] == 2
    assert figures["downtime_hours"] == 2.5
    assert figures["planned_downtime_hours"] == 1
    assert figures["unplanned_downtime_hours"] == 1.5
    assert figures["operating_hours"] == 21.5
    assert figures["mtbf_hours"] == 10.75
    assert figures["mttr_hours"] == 0.75
    assert figures["availability"] == round(21.5 / 23, 4)


def test_incidents_are_clipped_at_the_period_edges(filler, reasons):
    down(filler, t(23, day=-1), t(1), reasons["jam"])  # 1 h inside
    down(filler, t(23, 30), t(0, 30, day=1), reasons["jam"])  # 0.5 h inside
    down(filler, t(20, day=-1), t(21, day=-1), reasons["jam"])  # outside: not counted
    figures = reliability(equipment=filler, **DAY)
    assert figures["failures"] == 2
    assert figures["downtime_hours"] == 1.5
    assert figures["mttr_hours"] == 0.75
    assert figures["mtbf_hours"] == 11.25


def test_a_period_without_failures_has_no_mtbf_nor_mttr(filler, reasons):
    down(filler, t(12), t(13), reasons["changeover"])
    figures = reliability(equipment=filler, **DAY)
    assert figures["failures"] == 0
    assert figures["mtbf_hours"] is None
    assert figures["mttr_hours"] is None
    assert figures["operating_hours"] == 23
    assert figures["availability"] == 1.0


def test_an_unclassified_stop_counts_as_a_failure_until_classified(filler):
    down(filler, t(2), t(4))
    assert reliability(equipment=filler, **DAY)["failures"] == 1


def test_an_open_incident_runs_until_now_and_the_period_ends_now(filler, reasons):
    DowntimeIncident.objects.create(equipment=filler, started_at=t(3), reason=reasons["jam"])
    figures = reliability(equipment=filler, start=t(0), end=t(0, day=1), now=t(5))
    assert figures["scheduled_hours"] == 5
    assert figures["downtime_hours"] == 2
    assert figures["operating_hours"] == 3
    assert figures["mttr_hours"] == 2


def test_a_line_counts_simultaneous_stops_once(line, reasons):
    filler = EquipmentFactory(line=line)
    capper = EquipmentFactory(line=line)
    down(filler, t(2), t(4), reasons["jam"])
    down(capper, t(3), t(5), reasons["jam"])
    figures = reliability(line=line, **DAY)
    assert figures["failures"] == 2
    assert figures["downtime_hours"] == 3
    assert figures["operating_hours"] == 21
    assert figures["mtbf_hours"] == 10.5
    assert figures["mttr_hours"] == 2  # Σ (end − start) of the failures / failures
    assert reliability(equipment=filler, **DAY)["downtime_hours"] == 2


def test_with_shifts_only_scheduled_time_counts(filler, reasons, patterns, technician):
    from logbook.shifts import clock

    early = patterns["Early"]
    starts, ends = clock.shift_window(D, early.start_time, early.end_time, BERLIN)
    Shift.objects.create(
        line=filler.line,
        pattern=early,
        date=D,
        started_by=technician,
        starts_at=starts,
        ends_at=ends,
    )
    down(filler, t(13), t(15), reasons["jam"])  # one hour inside the 06–14 shift
    figures = reliability(equipment=filler, **DAY)
    assert figures["scheduled_hours"] == 8
    assert figures["downtime_hours"] == 1
    assert figures["operating_hours"] == 7
    assert figures["mtbf_hours"] == 7
    assert figures["mttr_hours"] == 2
    assert figures["availability"] == 0.875


def test_a_day_across_the_spring_clock_change_has_23_hours(filler):
    start = datetime.datetime(2026, 3, 29, tzinfo=BERLIN)
    end = datetime.datetime(2026, 3, 30, tzinfo=BERLIN)
    figures = reliability(equipment=filler, start=start, end=end, now=DAY["now"])
    assert figures["scheduled_hours"] == 23


def test_an_amended_incident_counts_once_in_its_latest_version(filler, reasons):
    original = down(filler, t(2), t(3), reasons["jam"])
    DowntimeIncident.objects.create(
        equipment=filler,
        started_at=t(2),
        ended_at=t(4),
        reason=reasons["jam"],
        amends=original,
        amend_reason="x",
    )
    figures = reliability(equipment=filler, **DAY)
    assert figures["failures"] == 1
    assert figures["downtime_hours"] == 2


def test_mttr_is_split_into_response_repair_and_restart(filler, reasons):
    DowntimeIncident.objects.create(
        equipment=filler,
        reason=reasons["jam"],
        started_at=t(2),
        responded_at=t(2, 15),
        repaired_at=t(3),
        ended_at=t(3, 30),
    )
    figures = reliability(equipment=filler, **DAY)
    assert figures["mttr_response_hours"] == 0.25
    assert figures["mttr_repair_hours"] == 0.75
    assert figures["mttr_restart_hours"] == 0.5
    assert figures["mttr_hours"] == 1.5


def test_the_other_sites_incidents_do_not_count(filler, other_equipment, reasons):
    down(other_equipment, t(2), t(3), reasons["jam"])
    assert reliability(equipment=filler, **DAY)["failures"] == 0
