"""Downtime Pareto and the acute/chronic split, by hand-computed cases."""

import pytest

from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.reports.downtime import acute_chronic, pareto
from tests.factories import EquipmentFactory
from tests.reports.test_oee import LATER, day_of, down, t


@pytest.fixture
def leak(reasons):
    return ReasonCode.objects.create(
        code="U-LEAK", name="Leak", kind="unplanned", parent=reasons["jam"].parent
    )


def test_minutes_count_and_cumulative_share_largest_first(filler, line, reasons, leak):
    capper = EquipmentFactory(line=line, asset_tag="CAP-1", name="Capper")
    down(filler, t(8), t(8, 10), reasons["jam"])
    down(capper, t(8, 5), t(8, 15), reasons["jam"])  # overlapping machines both count
    down(filler, t(9), t(10), leak)
    down(filler, t(11), t(11, 20))  # unclassified
    down(filler, t(12), t(14), reasons["changeover"])  # planned: not a loss to rank
    rows = pareto(line=line, by="reason", **day_of())
    assert [(r["label"], r["minutes"], r["count"]) for r in rows] == [
        ("U-LEAK – Leak", 60, 1),
        ("U-JAM – Jam", 20, 2),
        ("Unclassified", 20, 1),
    ]
    assert [r["cumulative_share"] for r in rows] == pytest.approx([0.6, 0.8, 1.0])
    by_machine = pareto(line=line, by="equipment", **day_of())
    assert [(r["key"], r["minutes"]) for r in by_machine] == [(filler.pk, 90), (capper.pk, 10)]
    [category, unclassified] = pareto(line=line, by="category", **day_of())
    assert (category["label"], category["minutes"], category["count"]) == ("U – Failures", 80, 3)
    assert unclassified["key"] is None


def test_clipped_to_the_period_and_open_stops_run_until_now(filler, line, reasons):
    down(filler, t(23, day=-1), t(1), reasons["jam"])  # 60 minutes inside
    DowntimeIncident.objects.create(equipment=filler, started_at=t(9), reason=reasons["jam"])
    [row] = pareto(line=line, start=t(0), end=t(0, day=1), now=t(9, 30))
    assert (row["minutes"], row["count"]) == (90, 2)


def test_an_empty_period_has_no_rows(line, other_equipment, reasons):
    down(other_equipment, t(8), t(9), reasons["jam"])  # another site's line
    assert pareto(line=line, **day_of()) == []
    assert acute_chronic(line=line, **day_of())["points"] == []


def test_acute_and_chronic_quadrants(filler, line, reasons, leak):
    # Jam: 9 stops of 2 minutes (chronic); leak: one stop of 3 hours (acute).
    for hour in range(9):
        down(filler, t(hour), t(hour, 2), reasons["jam"])
    down(filler, t(12), t(15), leak)
    chart = acute_chronic(line=line, start=t(0), end=t(0, day=1), now=LATER)
    quadrants = {
        p["label"]: (p["count"], p["mean_minutes"], p["quadrant"]) for p in chart["points"]
    }
    assert quadrants == {"U-JAM – Jam": (9, 2, "chronic"), "U-LEAK – Leak": (1, 180, "acute")}
    assert chart["count_split"] == pytest.approx(3)  # √(9 × 1)
    assert chart["minutes_split"] == pytest.approx((2 * 180) ** 0.5)


def test_two_queries_whatever_the_rows(filler, line, reasons, django_assert_num_queries):
    for hour in range(12):
        down(filler, t(hour), t(hour, 5), reasons["jam"] if hour % 2 else None)
    with django_assert_num_queries(2):
        pareto(line=line, **day_of())
