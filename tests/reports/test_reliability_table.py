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
