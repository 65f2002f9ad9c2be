"""PM compliance, the corrective ratio, the backlog and failures after a late PM, by hand."""

import datetime

import pytest

from logbook.maintenance.models import MaintenanceSchedule, WorkOrder
from logbook.reports.maintenance import (
    failures_after_late_pm,
    pm_compliance,
    pm_exceptions,
    work_mix,
)
from tests.reports.test_oee import BERLIN, down

JUNE = datetime.date(2026, 6, 1)
NOW = datetime.datetime(2026, 6, 20, 12, 0, tzinfo=BERLIN)


def day(n, hour=0, month=6):
    return datetime.datetime(2026, month, n, hour, tzinfo=BERLIN)


def order(equipment, due, *, tol=0, done=None, status=None, kind="preventive", **extra):
    status = status or ("done" if done else "open")
    if kind == "preventive" and "schedule" not in extra:
        # A preventive order comes from a schedule (one active order each): one per order here.
        extra["schedule"] = MaintenanceSchedule.objects.create(
            equipment=equipment, title="Monthly PM", interval=1, interval_unit="months"
        )
    extra.setdefault("title", f"PM due {due:%m-%d}")
    return WorkOrder.objects.create(
        kind=kind,
        equipment=equipment,
        due_at=due,
        tolerance_days=tol,
        status=status,
        completed_at=done,
        **extra,
    )


def june(**kwargs):
    return {"start": day(1), "end": datetime.datetime(2026, 7, 1, tzinfo=BERLIN), **kwargs}


def test_compliance_judges_each_order_in_local_days(line, filler):
    order(filler, day(1), done=day(1, 15))  # due at local midnight: June, on time
    order(filler, day(31, month=5), done=day(31, 10, month=5))  # May: not in June
    order(filler, day(5), done=day(7, 9))  # late
    order(filler, day(8), tol=1)  # window closed on the 9th: missed
    order(filler, day(10), status="cancelled")  # missed
    order(filler, day(12), tol=3, done=day(8, 9))  # before its window opened: early
    order(filler, day(15), done=day(21, 9), status="done")  # done after the cut-off: missed
    order(filler, day(19), tol=3)  # window open until the 22nd: pending
    order(filler, day(25))  # not due yet: pending
    order(filler, day(3), kind="corrective")  # corrective work never counts
    figures = pm_compliance(line=line, **june(now=NOW))
    assert {k: figures[k] for k in ("due", "on_time", "early", "late", "missed", "pending")} == {
        "due": 8,
        "on_time": 1,
        "early": 1,
        "late": 1,
        "missed": 3,
        "pending": 2,
    }
    assert figures["compliance"] == pytest.approx(1 / 6)
    [month] = figures["rows"]
    assert (month["label"], month["due"]) == ("2026-06", 8)
    listed = {(o.title, o.verdict) for o in pm_exceptions(line=line, **june(now=NOW))}
    assert listed == {
        ("PM due 06-05", "late"),
        ("PM due 06-08", "missed"),
        ("PM due 06-10", "missed"),
        ("PM due 06-12", "early"),
        ("PM due 06-15", "missed"),
    }


def test_a_past_month_is_judged_as_it_stood_at_its_end(line, filler):
    order(filler, day(29, month=5), done=day(29, 10, month=5))
    order(filler, day(31, month=5), done=day(2, 10))  # done in June: missed in May
    figures = pm_compliance(line=line, start=day(1, month=5), end=day(1), now=NOW)
    assert (figures["on_time"], figures["missed"], figures["compliance"]) == (1, 1, 0.5)


def test_months_without_orders_say_no_data(line, filler):
    order(filler, day(2), done=day(2, 9))
    figures = pm_compliance(line=line, start=day(1, month=5), end=day(1, month=7), now=NOW)
    may, june_row = figures["rows"]
    assert (may["due"], may["compliance"]) == (0, None)
    assert june_row["compliance"] == 1


def test_corrective_ratio_and_backlog(line, filler, pm_schedule):
    order(filler, day(2), done=day(2, 10), labour_minutes=90)
    order(filler, day(3), kind="corrective", done=day(3, 10), labour_minutes=60)
    order(filler, day(4), kind="corrective", done=day(4, 10), labour_minutes=30)
    order(filler, day(19), schedule=pm_schedule)  # open PM: its schedule says 45 minutes
    order(filler, day(20), kind="corrective")  # open: counted at the typical 45 minutes
    figures = work_mix(line=line, **june(now=NOW))
    assert figures["corrective_ratio"] == pytest.approx(0.5)
    assert (figures["backlog_preventive"], figures["backlog_corrective"]) == (1, 1)
    assert figures["backlog_hours"] == pytest.approx(1.5)


def test_no_work_has_no_ratio(line):
    assert work_mix(line=line, **june(now=NOW))["corrective_ratio"] is None


def test_failures_after_a_late_pm(line, filler, other_equipment, pm_schedule, reasons):
    late = order(filler, day(5), done=day(7, 9), schedule=pm_schedule)
    after = down(filler, day(10, 8), day(10, 9), reasons["jam"])
    down(filler, day(4, 8), day(4, 9), reasons["jam"])  # before the PM was even due
    down(filler, day(11, 8), day(11, 9), reasons["changeover"])  # planned: not a failure
    down(other_equipment, day(10, 8), day(10, 9), reasons["jam"])  # another machine
    [flagged] = failures_after_late_pm(line=line, **june(now=NOW))
    assert (flagged.pk, flagged.late_pm.pk) == (after.pk, late.pk)


def test_a_pm_done_in_its_window_flags_nothing(line, filler, pm_schedule, reasons):
    order(filler, day(5), tol=3, done=day(8, 9), schedule=pm_schedule)
    down(filler, day(10, 8), day(10, 9), reasons["jam"])
    assert failures_after_late_pm(line=line, **june(now=NOW)) == []


def test_a_failure_while_the_pm_is_overdue_is_flagged(line, filler, pm_schedule):
    order(filler, day(5), schedule=pm_schedule)  # never done
    down(filler, day(6, 8), day(6, 9))  # unclassified counts as a failure
    assert len(failures_after_late_pm(line=line, **june(now=NOW))) == 1


def test_constant_queries(line, filler, django_assert_max_num_queries):
    for n in range(1, 20):
        order(filler, day(n), done=day(n, 9))
    with django_assert_max_num_queries(1):
        pm_compliance(line=line, start=day(1, month=1), end=day(1, month=12), now=NOW)
