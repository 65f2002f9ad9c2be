"""Limits and capability, against values computed by hand (no database)."""

import csv
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from logbook.quality.spc import capability, p_chart, within_spec

D = Decimal


def capability_of(values, lsl=None, usl=None):
    """Capability of a list of values in time order, through the aggregates the database gives."""
    moving = [abs(b - a) for a, b in itertools.pairwise(values)]
    return capability(
        n=len(values),
        total=sum(values),
        total_sq=sum(v * v for v in values),
        mean_moving_range=sum(moving) / len(moving) if moving else None,
        lsl=lsl,
        usl=usl,
        out_of_spec=sum(
            1 for v in values if (lsl is not None and v < lsl) or (usl is not None and v > usl)
        ),
    )


@pytest.mark.parametrize(
    ("value", "lsl", "usl", "expected"),
    [
        (D("495.0"), D("495.0"), D("505.0"), True),  # exactly at the lower limit
        (D("505.00"), D("495"), D("505"), True),  # exactly at the upper limit
        (D("494.99"), D("495"), D("505"), False),
        (D("505.01"), D("495"), D("505"), False),
        (D("0.1") + D("0.2"), None, D("0.3"), True),  # no float surprise
        (D("1000"), D("2.0"), None, True),  # one-sided: only a lower limit
        (D("1.9"), D("2.0"), None, False),
        (D("-5"), None, D("0"), True),
    ],
)
def test_inclusive_and_one_sided_limits(value, lsl, usl, expected):
    assert within_spec(value, lsl, usl) is expected


def test_capability_by_hand():
    # x = 10, 12, 11, 13, 9: mean 11; moving ranges 2, 1, 2, 4 → MR̄ 2.25; σ_within = 2.25/1.128
    # σ_overall: Σ(x − x̄)² = 1+1+0+4+4 = 10 → s² = 2.5, s = 1.5811
    result = capability_of([10, 12, 11, 13, 9], lsl=5, usl=17)
    sigma_within = 2.25 / 1.128
    assert result.mean == 11
    assert result.sd_within == pytest.approx(sigma_within)
    assert result.sd_overall == pytest.approx(1.58114, abs=1e-5)
    assert result.cp == pytest.approx(12 / (6 * sigma_within))
    assert result.cpk == pytest.approx(6 / (3 * sigma_within))
    assert result.pp == pytest.approx(12 / (6 * 1.58114), abs=1e-4)
    assert result.ucl == pytest.approx(11 + 2.66 * 2.25)
    assert result.lcl == pytest.approx(11 - 2.66 * 2.25)


def test_an_off_centre_process_has_a_lower_cpk():
    result = capability_of([14, 15, 14, 16, 15], lsl=5, usl=17)
    assert result.cpk < result.cp
    assert result.cpk == pytest.approx((17 - 14.8) / (3 * (1 + 1 + 2 + 1) / 4 / 1.128))


def test_one_sided_limits_give_only_the_one_sided_index():
    upper_only = capability_of([1.0, 1.2, 1.1, 1.3], usl=2.0)
    assert upper_only.cp is None and upper_only.cpk is None
    assert upper_only.cpu == pytest.approx((2.0 - 1.15) / (3 * (0.2 + 0.1 + 0.2) / 3 / 1.128))
    assert upper_only.cpl is None
    lower_only = capability_of([5.0, 5.2, 5.1], lsl=4.0)
    assert lower_only.cpl > 0 and lower_only.cpu is None


def test_no_index_without_two_values_or_without_spread():
    assert capability_of([]).reason == "No measurements in this period."
    single = capability_of([3.0], lsl=1, usl=5)
    assert single.cp is None and "at least two" in single.reason
    flat = capability_of([3.0, 3.0, 3.0], lsl=1, usl=5)
    assert flat.cp is None and "no spread" in flat.reason


REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "qcc-spc-montgomery"


@pytest.mark.skipif(not REAL.is_dir(), reason="the Montgomery SPC sample is not in ../shared/data")
def test_piston_ring_diameters_match_the_published_mean():
    with (REAL / "pistonrings.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["trial"] == "TRUE"]
    values = [float(row["diameter"]) for row in rows]
    result = capability_of(values, lsl=73.95, usl=74.05)
    assert len(values) == 125
    assert result.mean == pytest.approx(74.00118, abs=1e-5)  # Montgomery's grand mean
    assert result.cp > 1 and result.cpk <= result.cp


def test_p_chart_by_hand():
    # p̄ = 9 / 125 = 0.072; for n = 50: 3 √(0.072 × 0.928 / 50) = 0.109667…; for n = 25: 0.155093…
    pbar, points = p_chart([("Mon", 50, 2), ("Tue", 50, 1), ("Wed", 25, 6), ("Thu", 0, 0)])
    assert pbar == pytest.approx(0.072)
    assert [p.label for p in points] == ["Mon", "Tue", "Wed"]  # a day without inspections: none
    monday, _, wednesday = points
    assert monday.p == pytest.approx(0.04)
    assert monday.ucl == pytest.approx(0.181667, abs=1e-6) and monday.lcl == 0.0
    assert wednesday.ucl == pytest.approx(0.227093, abs=1e-6)
    assert wednesday.p == pytest.approx(0.24) and wednesday.out
    assert [p.out for p in points] == [False, False, True]


def test_p_chart_limits_stay_within_zero_and_one():
    pbar, points = p_chart([("a", 2, 2), ("b", 2, 1)])
    assert pbar == pytest.approx(0.75)
    assert all(0.0 <= p.lcl <= p.ucl <= 1.0 for p in points)
    assert p_chart([]) == (None, [])
