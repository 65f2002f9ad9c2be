"""The history importer: a small sample of our own, and the real Azure PdM files when present."""

import csv
import datetime
import io
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Equipment, EquipmentEvent, Line
from logbook.maintenance.models import WorkOrder
from logbook.reports.selectors import reliability

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "azure-pdm"
UTC = datetime.UTC

SAMPLE = {
    "PdM_machines.csv": '"machineID","model","age"\r\n1,"model3",18\r\n2,"model4",7\r\n',
    "PdM_failures.csv": (
        '"datetime","machineID","failure"\r\n'
        '2015-01-05 06:00:00,1,"comp4"\r\n'
        '2015-01-05 06:00:00,1,"comp2"\r\n'  # two components at once: one incident
        '2015-01-05 08:00:00,1,"comp1"\r\n'  # two hours later: the first ends here
        '2015-03-01 12:00:00,2,"comp3"\r\n'
        'not a date,2,"comp3"\r\n'
        '2015-03-01 12:00:00,99,"comp3"\r\n'
    ),
    "PdM_errors.csv": (
        '"datetime","machineID","errorID"\r\n'
        '2015-01-03 07:00:00,1,"error1"\r\n2015-01-03 20:00:00,1,"error3"\r\n'
    ),
    "PdM_maint.csv": '"datetime","machineID","comp"\r\n2015-01-05 06:00:00,1,"comp4"\r\n',
}


@pytest.fixture
def sample(tmp_path):
    for name, text in SAMPLE.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    return tmp_path


def run(folder, *args):
    out = io.StringIO()
    call_command("import_pdm", str(folder), *args, stdout=out)
    return out.getvalue()


def test_it_imports_machines_failures_and_alarms(sample, db):
    output = run(sample, "--repair-minutes", "240")
    machine = Equipment.objects.get(asset_tag="PDM-1")
    assert machine.model == "model3"
    assert machine.commissioned_on == datetime.date(1997, 1, 1)
    incidents = list(DowntimeIncident.objects.filter(equipment=machine).order_by("started_at"))
    assert [(i.started_at, i.ended_at) for i in incidents] == [
        (
            datetime.datetime(2015, 1, 5, 6, tzinfo=UTC),
            datetime.datetime(2015, 1, 5, 8, tzinfo=UTC),
        ),
        (
            datetime.datetime(2015, 1, 5, 8, tzinfo=UTC),
            datetime.datetime(2015, 1, 5, 12, tzinfo=UTC),
        ),
    ]
    assert incidents[0].symptom == "Failure of comp2, comp4"
    assert all(i.closed_at and i.reason.kind == "unplanned" for i in incidents)
    assert EquipmentEvent.objects.filter(equipment=machine).count() == 2
    assert "machines: 2 created" in output
    assert "6 rows → 3 incidents" in output and "1 ended early" in output
    assert "skipped 2: failure rows with an unreadable time or an unknown machine" in output
    assert "maintenance: 1 rows → 1 work orders created (1 repairs linked" in output
    repair = WorkOrder.objects.get()
    assert repair.kind == "corrective" and repair.downtime_incident == incidents[0]


def test_a_second_run_adds_nothing(sample, db):
    run(sample)
    counts = (
        Equipment.objects.count(),
        DowntimeIncident.objects.count(),
        EquipmentEvent.objects.count(),
    )
    output = run(sample)
    assert (
        Equipment.objects.count(),
        DowntimeIncident.objects.count(),
        EquipmentEvent.objects.count(),
    ) == counts
    assert "0 created, 3 already there" in output


def test_times_are_read_in_the_sites_zone(sample, site):
    run(sample, "--site", site.code)
    first = DowntimeIncident.objects.order_by("started_at").first()
    assert first.started_at == datetime.datetime(2015, 1, 5, 5, tzinfo=UTC)  # 06:00 in Berlin


def test_the_machines_page_shows_its_alarms(sample, as_user, admin):
    run(sample)
    machine = Equipment.objects.get(asset_tag="PDM-1")
    html = as_user(admin).get(f"/equipment/{machine.pk}/").content.decode()
    assert "error3" in html and "Events reported by the machine" in html


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda folder: (folder / "PdM_errors.csv").unlink(), "PdM_errors.csv is missing"),
        (
            lambda folder: (folder / "PdM_machines.csv").write_text("id,model\n1,x\n"),
            r"lacks the column\(s\) machineID, age",
        ),
    ],
)
def test_a_broken_folder_stops_before_anything_is_written(sample, db, setup, message):
    setup(sample)
    with pytest.raises(CommandError, match=message):
        run(sample)
    assert not Equipment.objects.exists()


def test_a_missing_folder_is_said_plainly(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        run(tmp_path / "nowhere")


# The real sample ------------------------------------------------------------------------------

WINDOW = (
    datetime.datetime(2015, 1, 1, 6, tzinfo=UTC),
    datetime.datetime(2016, 1, 1, 6, tzinfo=UTC),
)
REPAIR = datetime.timedelta(minutes=240)


def _expected_intervals():
    """Independently of the importer: failure events per machine from the CSV, each down for
    the repair time or until its machine's next failure."""
    events = defaultdict(set)
    with (REAL / "PdM_failures.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            moment = datetime.datetime.fromisoformat(row["datetime"]).replace(tzinfo=UTC)
            events[int(row["machineID"])].add(moment)
    intervals = {}
    for machine, moments in events.items():
        ordered = sorted(moments)
        nexts = [*ordered[1:], None]
        intervals[machine] = [
            (start, min(start + REPAIR, following) if following else start + REPAIR)
            for start, following in zip(ordered, nexts, strict=True)
        ]
    return intervals


def _maintenance_groups():
    """Independently: replacements grouped by machine, time and whether they repaired a failure
    of that very component."""
    failures = set()
    with (REAL / "PdM_failures.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            failures.add((row["machineID"], row["datetime"], row["failure"]))
    groups = set()
    with (REAL / "PdM_maint.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            corrective = (row["machineID"], row["datetime"], row["comp"]) in failures
            groups.add((row["machineID"], row["datetime"], corrective))
    return {
        "corrective": sum(1 for group in groups if group[2]),
        "preventive": sum(1 for group in groups if not group[2]),
    }


def _union_hours(intervals, start, end):
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total, reach = 0.0, None
    for a, b in clipped:
        if reach is None or a > reach:
            total += (b - a).total_seconds()
            reach = b
        elif b > reach:
            total += (b - reach).total_seconds()
            reach = b
    return total / 3600


@pytest.mark.skipif(not REAL.is_dir(), reason="the Azure PdM sample is not in ../shared/data")
def test_the_real_sample_imports_with_the_expected_counts_and_figures(db):
    output = run(REAL, "--repair-minutes", "240")
    assert Equipment.objects.filter(asset_tag__startswith="PDM-").count() == 100
    assert DowntimeIncident.objects.filter(source="import").count() == 719
    assert EquipmentEvent.objects.filter(source="import").count() == 3919
    assert "761 rows → 719 incidents" in output
    # 743 replacements match a failure of that component (SOURCE.md); grouped by machine and
    # time they are the repairs, linked to their incident; the rest were planned.
    repairs = WorkOrder.objects.filter(kind="corrective")
    assert repairs.count() == repairs.filter(downtime_incident__isnull=False).count()
    assert WorkOrder.objects.filter(kind="preventive", schedule__active=False).exists()
    expected_rows = _maintenance_groups()
    assert repairs.count() == expected_rows["corrective"]
    assert WorkOrder.objects.filter(kind="preventive").count() == expected_rows["preventive"]
    expected = _expected_intervals()
    start, end = WINDOW

    machine = Equipment.objects.get(asset_tag="PDM-1")
    figures = reliability(equipment=machine, start=start, end=end)
    down = _union_hours(expected[1], start, end)
    assert figures["failures"] == len(expected[1]) == 7
    assert figures["scheduled_hours"] == 8760
    assert figures["downtime_hours"] == pytest.approx(down, abs=1e-3)
    assert figures["mtbf_hours"] == pytest.approx((8760 - down) / 7, abs=1e-3)
    assert figures["mttr_hours"] == pytest.approx(down / 7, abs=1e-3)

    # The whole fleet as one line: 719 failures; machines down at once count once.
    fleet = reliability(line=Line.objects.get(code="PDM"), start=start, end=end)
    every = [interval for intervals in expected.values() for interval in intervals]
    in_window = [(a, b) for a, b in every if b > start and a < end]
    fleet_down = _union_hours(every, start, end)
    assert fleet["failures"] == len(in_window) == 719
    assert fleet["downtime_hours"] == pytest.approx(fleet_down, abs=1e-3)
    assert fleet["mtbf_hours"] == pytest.approx((8760 - fleet_down) / 719, abs=1e-3)
    machines_without_failures = {6, 77}
    assert set(range(1, 101)) - set(expected) == machines_without_failures
    for machine_id in machines_without_failures:
        quiet = Equipment.objects.get(asset_tag=f"PDM-{machine_id}")
        assert reliability(equipment=quiet, start=start, end=end)["mtbf_hours"] is None
