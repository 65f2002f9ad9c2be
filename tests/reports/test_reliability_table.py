"""Reliability per equipment and per month: the single-unit figures, many units in one query."""

import datetime

import pytest

from logbook.reports.reliability import reliability_table
from logbook.reports.selectors import reliability
from tests.factories import EquipmentFactory
from tests.reports.test_oee import BERLIN, LATER, down, t


@pytest.fixture
def stops(line, filler, reasons):
    capper = EquipmentFactory(line=line, asset_tag="CAP-1", name="Capper")
    down(filler, t(2), t(3), reasons["jam"])
    down(filler, t(10), t(10, 30), reasons["jam"])
    down(filler, t(12), t(13), reasons["changeover"])
    down(capper, t(2, 30), t(4), reasons["jam"])
    down(capper, t(1, day=20), t(2, day=20), reasons["jam"])  # the next month
    return capper


def test_each_machine_matches_its_own_reliability(line, filler, stops):
    period = {"start": t(0), "end": t(0, day=30), "now": LATER}
    rows = {row["key"]: row for row in reliability_table(by="equipment", line=line, **period)}
    for machine in (filler, stops):
        single = reliability(equipment=machine, **period)
        for name in ("failures", "mtbf_hours", "mttr_hours", "operating_hours"):
            assert rows[machine.pk][name] == single[name], name
        assert rows[machine.pk]["availability"] == pytest.approx(single["availability"], abs=1e-4)


def test_months_merge_the_lines_stops_and_split_at_the_month(line, filler, stops):
    start = datetime.datetime(2026, 6, 1, tzinfo=BERLIN)
    end = datetime.datetime(2026, 8, 1, tzinfo=BERLIN)
    june, july = reliability_table(by="month", line=line, start=start, end=end, now=LATER)
    assert (june["label"], july["label"]) == ("2026-06", "2026-07")
    assert june == {**june, **_figures(line, start, datetime.datetime(2026, 7, 1, tzinfo=BERLIN))}
    assert july["failures"] == 1
    assert july["mttr_hours"] == 1


def _figures(line, start, end):
    single = reliability(line=line, start=start, end=end, now=LATER)
    return {k: single[k] for k in ("failures", "mtbf_hours", "mttr_hours", "operating_hours")}


def test_one_query_for_many_machines(line, stops, django_assert_max_num_queries):
    for n in range(10):
        EquipmentFactory(line=line, asset_tag=f"X-{n}")
    with django_assert_max_num_queries(3):
        reliability_table(by="equipment", line=line, start=t(0), end=t(0, day=30), now=LATER)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sweep_matches_the_single_figures_with_shifts(
    line, filler, reasons, patterns, technician, seed
):
    """Shifts on some days, in both patterns; stops that overlap each other, span shifts and
    the gaps between them and the end of June, planned and unplanned: the table's figures per
    machine and per month are those of the one-unit reliability."""
    import random

    from logbook.shifts import clock
    from logbook.shifts.models import Shift

    rng = random.Random(seed)
    first = datetime.date(2026, 6, 20)
    for offset in range(20):
        day = first + datetime.timedelta(days=offset)
        for pattern in (patterns["Early"], patterns["Late"]):
            if rng.random() < 0.7:
                starts, ends = clock.shift_window(day, pattern.start_time, pattern.end_time, BERLIN)
                Shift.objects.create(
                    line=line,
                    pattern=pattern,
                    date=day,
                    started_by=technician,
                    starts_at=starts,
                    ends_at=ends,
                )
    machines = [filler, EquipmentFactory(line=line, asset_tag="CAP-9")]
    origin = datetime.datetime.combine(first, datetime.time(0), tzinfo=BERLIN)
    for _ in range(40):
        begin = origin + datetime.timedelta(minutes=rng.randrange(0, 20 * 24 * 60))
        length = datetime.timedelta(minutes=rng.choice([5, 30, 90, 300, 900]))
        reason = rng.choice([reasons["jam"], reasons["changeover"], None])
        down(rng.choice(machines), begin, begin + length, reason)
    start = datetime.datetime(2026, 6, 1, tzinfo=BERLIN)
    end = datetime.datetime(2026, 8, 1, tzinfo=BERLIN)
    period = {"start": start, "end": end, "now": LATER}
    rows = {row["key"]: row for row in reliability_table(by="equipment", line=line, **period)}
    for machine in machines:
        single = reliability(equipment=machine, **period)
        row = rows[machine.pk]
        for name in ("failures", "downtime_hours", "operating_hours", "mtbf_hours", "mttr_hours"):
            assert row[name] == pytest.approx(single[name], abs=2e-4), (machine, name)
    june, july = reliability_table(by="month", line=line, **period)
    middle = datetime.datetime(2026, 7, 1, tzinfo=BERLIN)
    for month, (lower, upper) in ((june, (start, middle)), (july, (middle, end))):
        single = reliability(line=line, start=lower, end=upper, now=LATER)
        # (A failure counts in the month it began; a stop across midnight of June 30th is
        # June's failure, while the one-unit figures of July count it as July's too.)
        for name in ("downtime_hours", "unplanned_downtime_hours", "scheduled_hours"):
            assert month[name] == pytest.approx(single[name], abs=2e-4), (month["label"], name)
