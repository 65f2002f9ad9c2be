"""First-pass yield, the defect Pareto and the capability table, by hand-computed cases."""

import pytest

from logbook.quality import services
from logbook.reports.quality import capability_table, defect_pareto, first_pass_yield
from tests.quality.test_services import _ids, plan  # noqa: F401  (the plan fixture)
from tests.reports.test_oee import LATER, day_of, t


def inspect(checks, user, hour, batch, fill="500.0", torque="1.90", seal=True, defect="", day=0):
    ids = _ids(checks)
    return services.inspection_record(
        plan=checks,
        user=user,
        batch=batch,
        inspected_at=t(hour, day=day),
        results={
            ids["Fill volume"]: fill,
            ids["Cap torque"]: torque,
            ids["Seal integrity"]: {"passed": seal, "defect": defect},
        },
    )


def test_first_pass_yield_counts_each_unit_once(plan, technician, line):  # noqa: F811
    inspect(plan, technician, 20, "B-0", seal=False, defect="Leak", day=-1)
    inspect(plan, technician, 6, "B-0")  # a re-inspection of yesterday's failure: not counted
    inspect(plan, technician, 7, "B-1", fill="480.0")  # fails at the first attempt
    inspect(plan, technician, 8, "B-1")  # passes when re-inspected: still a first-pass failure
    inspect(plan, technician, 9, "B-2")
    inspect(plan, technician, 10, "B-3")
    figures = first_pass_yield(line=line, **day_of())
    assert (figures["inspections"], figures["first_pass"]) == (3, 2)
    assert figures["first_pass_yield"] == pytest.approx(2 / 3)


def test_first_pass_yield_per_day_says_no_data_on_empty_days(plan, technician, line):  # noqa: F811
    inspect(plan, technician, 9, "B-2")
    figures = first_pass_yield(line=line, start=t(0), end=t(0, day=2), now=LATER, group="day")
    assert [row["first_pass_yield"] for row in figures["rows"]] == [1.0, None]


def test_defect_pareto(plan, technician, line):  # noqa: F811
    inspect(plan, technician, 7, "B-1", seal=False, defect="Leak")
    inspect(plan, technician, 8, "B-2", seal=False, defect="Leak")
    inspect(plan, technician, 9, "B-3", seal=False, defect="Cocked cap", fill="480.0")
    rows = defect_pareto(line=line, **day_of())
    assert [(r["label"], r["count"]) for r in rows] == [
        ("Leak", 2),
        ("Cocked cap", 1),
        ("Fill volume", 1),
    ]
    assert [r["cumulative_share"] for r in rows] == pytest.approx([0.5, 0.75, 1.0])


def test_capability_per_characteristic_against_the_target(plan, technician, line):  # noqa: F811
    for hour, fill in enumerate(["500.0", "502.0", "498.0", "501.0", "499.0"], start=6):
        inspect(plan, technician, hour, f"B-{hour}", fill=fill, torque="1.90")
    rows = {row["name"]: row for row in capability_table(line=line, **day_of())}
    assert set(rows) == {"Fill volume", "Cap torque"}  # pass/fail checks have no capability
    fill = rows["Fill volume"]
    assert (fill["n"], fill["mean"]) == (5, pytest.approx(500))
    assert fill["stdev_within"] == pytest.approx(2.75 / 1.128)
    assert fill["stdev_overall"] == pytest.approx(2.5**0.5)
    assert fill["cp"] == pytest.approx(10 / (6 * 2.75 / 1.128))
    assert fill["cpk"] == pytest.approx(fill["cp"])
    assert fill["pp"] == pytest.approx(10 / (6 * 2.5**0.5))
    assert fill["below_target"] is True
    torque = rows["Cap torque"]
    assert torque["cpk"] is None and torque["reason"]  # no spread: no index, and why
    assert torque["below_target"] is False


def test_other_lines_are_left_out(plan, technician, other_line):  # noqa: F811
    inspect(plan, technician, 7, "B-1")
    assert first_pass_yield(line=other_line, **day_of())["first_pass_yield"] is None
    assert capability_table(line=other_line, **day_of()) == []
