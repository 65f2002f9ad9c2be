"""A large plant for the benchmarks, made with bulk inserts (minutes would go to save())."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from logbook.accounts.models import User
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)

CLASSES = [
    "filler",
    "capper",
    "labeler",
    "case-packer",
    "palletizer",
    "air-compressor",
    "conveyor",
    "coder",
    "pump",
    "motor",
]


@transaction.atomic
def ensure_plant(equipment_count: int, readings_per_meter: int, line_count: int = 100):
    """Return (a supervisor of the big site, one sample equipment); build the plant if absent."""
    site, _ = Site.objects.get_or_create(
        code="BENCH", defaults={"name": "Benchmark plant", "timezone": "Europe/Berlin"}
    )
    user, _ = User.objects.get_or_create(username="bench-supervisor")
    user.groups.set(Group.objects.filter(name="supervisor"))
    user.sites.set([site])
    have = Equipment.objects.filter(line__area__site=site).count()
    if have >= equipment_count:
        return user, _sample(site, equipment_count)
    print(f"generating {equipment_count - have:,} equipment…", flush=True)
    rng = random.Random(7)
    classes = [
        EquipmentClass.objects.get_or_create(code=c, defaults={"name": c.title()})[0]
        for c in CLASSES
    ]
    areas = [Area.objects.get_or_create(site=site, name=f"Hall {i}")[0] for i in range(10)]
    lines = [
        Line.objects.get_or_create(
            area=areas[i % 10], code=f"B{i:03d}", defaults={"name": f"Line {i}"}
        )[0]
        for i in range(line_count)
    ]
    batch = [
        Equipment(
            asset_tag=f"BX-{n:07d}",
            name=f"{rng.choice(CLASSES).title()} {n}",
            line=lines[n % len(lines)],
            equipment_class=classes[n % len(classes)],
            manufacturer=rng.choice(["Krones", "KHS", "Sidel", "Atlas Copco", "ABB"]),
            model=f"M{rng.randint(100, 999)}",
            serial_number=f"SN{n:09d}",
            criticality=rng.choice("ABC"),
            status=rng.choices(["running", "idle", "down"], [90, 8, 2])[0],
        )
        for n in range(have, equipment_count)
    ]
    Equipment.objects.bulk_create(batch, batch_size=2000)
    made = list(Equipment.objects.filter(line__area__site=site, meters__isnull=True)[: len(batch)])
    meters = Meter.objects.bulk_create(
        [Meter(equipment=e, name="Run hours", unit="h") for e in made], batch_size=2000
    )
    now = timezone.now()
    readings = []
    for meter in meters:
        value = Decimal(rng.randint(0, 50_000))
        for k in range(readings_per_meter):
            readings.append(
                MeterReading(
                    meter=meter,
                    value=value,
                    taken_by=user,
                    taken_at=now - datetime.timedelta(days=7 * (readings_per_meter - k)),
                )
            )
            value += rng.randint(50, 160)
        if len(readings) > 20_000:
            MeterReading.objects.bulk_create(readings, batch_size=5000)
            readings = []
    MeterReading.objects.bulk_create(readings, batch_size=5000)
    return user, _sample(site, equipment_count)


def _sample(site, equipment_count):
    """The machine the per-machine scenarios open: the 101st, or the last of a small plant."""
    return Equipment.objects.filter(line__area__site=site).order_by("pk")[
        min(100, equipment_count - 1)
    ]


@transaction.atomic
def ensure_floor_now(site, user):
    """The floor as it is at any moment: a stop open on one line in three, the last day's stops
    ended but waiting for a supervisor to classify and close them, and one machine a line
    sending signals (one in ten of them silent). Made once; the signals' times are brought up
    to now on every run, so "no signal" names the same machines whenever the bench runs."""
    from logbook.downtime.models import DowntimeIncident
    from logbook.telemetry.models import MachineLink

    now = timezone.now()
    lines = list(Line.objects.filter(area__site=site).order_by("pk"))
    first = {
        row["line_id"]: row["pk"]
        for row in Equipment.objects.filter(line__in=lines)
        .values("line_id")
        .annotate(pk=models.Min("pk"))
        .order_by()
    }
    links = MachineLink.objects.filter(equipment__line__area__site=site)
    if not links.exists():
        incidents = DowntimeIncident.objects.filter(equipment__line__area__site=site)
        last = incidents.aggregate(last=models.Max("ended_at"))["last"]
        if last is not None:
            incidents.filter(ended_at__gt=last - datetime.timedelta(days=1)).update(closed_at=None)
        opened = []
        for line in lines[::3]:
            machines = Equipment.objects.filter(line=line, parent=None).order_by("pk")[:5]
            for machine in machines:
                stops = incidents.filter(equipment=machine)
                ended = stops.aggregate(end=models.Max("ended_at"))["end"]
                start = now - datetime.timedelta(minutes=40 + line.pk % 60)
                if ended is None or ended < start:
                    opened.append(
                        DowntimeIncident(equipment=machine, started_at=start, symptom="bench")
                    )
                    break
        DowntimeIncident.objects.bulk_create(opened)
        MachineLink.objects.bulk_create(
            MachineLink(
                equipment_id=first[line.pk],
                state="running",
                state_since=now,
                last_signal_at=now,
            )
            for line in lines
            if line.pk in first
        )
        print(f"opened {len(opened)} stops, linked {len(first)} machines…", flush=True)
    silent = [first[line.pk] for line in lines[::10] if line.pk in first]
    links.exclude(equipment_id__in=silent).update(last_signal_at=now, state_since=now)
    links.filter(equipment_id__in=silent).update(
        last_signal_at=now - datetime.timedelta(hours=3), state_since=now
    )


@transaction.atomic
def ensure_shifts(site, user, days: int = 60, lines: int = 20, entries_per_shift: int = 6):
    """Signed shifts on the first ``lines`` lines for ``days`` days, each with its handover,
    count and ``entries_per_shift`` entries, plus one shift of 300 entries (the last one).
    Returns that big shift. Written a line at a time: five years of 30 lines are 1.6 million
    entries, too many to hold at once."""
    from logbook.shifts.models import LogEntry, ShiftPattern

    patterns = [
        ShiftPattern.objects.get_or_create(
            site=site, name=name, defaults={"start_time": start, "end_time": end}
        )[0]
        for name, start, end in [
            ("Early", datetime.time(6), datetime.time(14)),
            ("Late", datetime.time(14), datetime.time(22)),
            ("Night", datetime.time(22), datetime.time(6)),
        ]
    ]
    chosen = list(Line.objects.filter(area__site=site).order_by("code")[:lines])
    big = LogEntry.objects.filter(text="Entry 299").select_related("shift").first()
    if big is not None:
        return big.shift
    print(f"generating {days * len(chosen) * 3:,} shifts…", flush=True)
    rng = random.Random(11)
    last = None
    for number, line in enumerate(chosen):
        last = _line_shifts(
            line, patterns, user, days, entries_per_shift, rng, big=number == len(chosen) - 1
        )
    return last


@transaction.atomic
def _line_shifts(line, patterns, user, days, entries_per_shift, rng, big):
    from logbook.accounts.models import Signature
    from logbook.shifts import clock
    from logbook.shifts.models import Handover, LogEntry, ProductionRecord, Shift

    site = line.area.site
    today = timezone.localdate(timezone=site.zone)
    shifts = []
    for offset in range(days, 0, -1):
        day = today - datetime.timedelta(days=offset)
        for pattern in patterns:
            starts_at, ends_at = clock.shift_window(
                day, pattern.start_time, pattern.end_time, site.zone
            )
            shifts.append(
                Shift(
                    line=line,
                    pattern=pattern,
                    date=day,
                    lead=user,
                    started_by=user,
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            )
    Shift.objects.bulk_create(shifts, batch_size=2000)
    shifts = list(Shift.objects.filter(line=line).order_by("pk"))
    # One signature per shift in real life; the pages only read its fields. The last three
    # shifts stay open, waiting for their sign-off.
    signatures = Signature.objects.bulk_create(
        [
            Signature(signer=user, signer_name="Bench", meaning="reviewed", signed_at=shift.ends_at)
            for shift in shifts[:-3]
        ],
        batch_size=2000,
    )
    for shift, sig in zip(shifts, signatures, strict=False):
        shift.signature = sig
    Shift.objects.bulk_update(shifts[:-3], ["signature"], batch_size=2000)
    Handover.objects.bulk_create(
        [
            Handover(
                shift=shift, summary="All good", handed_over_by=user, handed_over_at=shift.ends_at
            )
            for shift in shifts
        ],
        batch_size=2000,
    )
    entries, records = [], []
    for shift in shifts:
        count = 300 if big and shift.pk == shifts[-1].pk else entries_per_shift
        for k in range(count):
            entries.append(
                LogEntry(
                    shift=shift,
                    author=user,
                    category="note",
                    text=f"Entry {k}",
                    occurred_at=shift.starts_at + datetime.timedelta(minutes=k),
                )
            )
        records.append(
            ProductionRecord(
                shift=shift,
                product="Cola",
                produced_count=100000,
                good_count=99000 - rng.randint(0, 900),
                ideal_cycle_time_s=Decimal("0.15"),
                planned_stop_minutes=30,
                recorded_by=user,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=5000)
    ProductionRecord.objects.bulk_create(records, batch_size=5000)
    return shifts[-1]


@transaction.atomic
def ensure_incidents(site, user, per_machine: int = 12, days: int = 90):
    """Closed incidents on every benchmark machine over the last ``days`` (about a fifth of them
    planned)."""
    from logbook.downtime.models import DowntimeIncident, ReasonCode

    if DowntimeIncident.objects.filter(equipment__line__area__site=site).exists():
        return
    machines = list(Equipment.objects.filter(line__area__site=site).values_list("pk", flat=True))
    print(f"generating {len(machines) * per_machine:,} incidents…", flush=True)
    planned, _ = ReasonCode.objects.get_or_create(
        code="B-PL", defaults={"name": "Bench planned", "kind": "planned"}
    )
    failure, _ = ReasonCode.objects.get_or_create(
        code="B-UN", defaults={"name": "Bench failure", "kind": "unplanned"}
    )
    rng = random.Random(5)
    now = timezone.now()
    rows = []
    gap = days * 24 / (per_machine + 1)  # hours between stops, on average
    for pk in machines:
        moment = now - datetime.timedelta(days=days)
        for _ in range(per_machine):
            moment += datetime.timedelta(hours=rng.uniform(0.2 * gap, 1.8 * gap))
            if moment > now - datetime.timedelta(hours=2):
                break
            end = moment + datetime.timedelta(minutes=rng.randint(5, 180))
            rows.append(
                DowntimeIncident(
                    equipment_id=pk,
                    started_at=moment,
                    ended_at=end,
                    closed_at=end,
                    reason=planned if rng.random() < 0.2 else failure,
                    symptom="bench",
                )
            )
            moment = end
        if len(rows) > 20_000:
            DowntimeIncident.objects.bulk_create(rows, batch_size=5000)
            rows = []
    DowntimeIncident.objects.bulk_create(rows, batch_size=5000)


@transaction.atomic
def ensure_work_orders(site, user, count: int = 40_000, days: int = 365):
    """Work orders on the benchmark machines: mostly verified history, some open and overdue."""
    from logbook.maintenance.models import WorkOrder

    if WorkOrder.objects.filter(equipment__line__area__site=site).exists():
        return
    print(f"generating {count:,} work orders…", flush=True)
    rng = random.Random(9)
    machines = list(Equipment.objects.filter(line__area__site=site).values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for n in range(count):
        due = now - datetime.timedelta(days=rng.uniform(-20, days))
        status = (
            "verified"
            if due < now - datetime.timedelta(days=10)
            else rng.choice(["open", "in_progress", "done"])
        )
        rows.append(
            WorkOrder(
                kind="corrective",
                equipment_id=rng.choice(machines),
                title=f"Repair {n}",
                due_at=due,
                status=status,
                assigned_to=user if n % 3 == 0 else None,
            )
        )
        if len(rows) >= 20_000:
            WorkOrder.objects.bulk_create(rows, batch_size=5000)
            rows = []
    WorkOrder.objects.bulk_create(rows, batch_size=5000)


@transaction.atomic
def ensure_inspections(site, user, count: int = 50_000):
    """A plan on the first benchmark line and ``count`` inspections of it (two values each).
    Returns the measured characteristic."""
    from logbook.quality.models import (
        Characteristic,
        Inspection,
        InspectionPlan,
        Measurement,
    )

    line = Line.objects.filter(area__site=site).order_by("code").first()
    plan = InspectionPlan.objects.filter(line=line).first()
    if plan is not None:
        if not Inspection.objects.filter(plan=plan, shift__isnull=False).exists():
            _link_inspections_to_shifts(plan)  # made by an earlier generator, unlinked
        return plan.characteristics.get(name="Fill volume")
    print(f"generating {count:,} inspections…", flush=True)
    plan = InspectionPlan.objects.create(name="Bench check", product="Bench cola", line=line)
    fill = Characteristic.objects.create(
        plan=plan, order=0, name="Fill volume", lsl=Decimal(495), usl=Decimal(505), decimals=1
    )
    torque = Characteristic.objects.create(
        plan=plan, order=1, name="Torque", lsl=Decimal("1.6"), usl=Decimal("2.2"), decimals=2
    )
    rng = random.Random(3)
    now = timezone.now()
    chunk = 50_000  # inspections written at a time: half a million would not fit in memory
    for first in range(0, count, chunk):
        inspections = Inspection.objects.bulk_create(
            [
                Inspection(
                    plan=plan,
                    line=line,
                    batch=f"B{n}",
                    inspector=user,
                    verdict="pass",
                    inspected_at=now - datetime.timedelta(minutes=15 * (count - n)),
                )
                for n in range(first, min(first + chunk, count))
            ],
            batch_size=5000,
        )
        rows = []
        for inspection in inspections:
            value = Decimal(str(round(rng.gauss(500.5, 1.4), 1)))
            rows.append(
                Measurement(
                    inspection=inspection,
                    characteristic=fill,
                    value=value,
                    passed=Decimal(495) <= value <= Decimal(505),
                )
            )
            rows.append(
                Measurement(
                    inspection=inspection,
                    characteristic=torque,
                    passed=True,
                    value=Decimal(str(round(rng.gauss(1.9, 0.08), 2))),
                )
            )
        Measurement.objects.bulk_create(rows, batch_size=10000)
    _link_inspections_to_shifts(plan)
    return fill


def _link_inspections_to_shifts(plan):
    """Each inspection belongs to the shift of its line that was running when it was made, as
    the floor records them (the shift page lists its inspections by that link)."""
    from django.db import connection

    print("linking inspections to their shifts…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quality_inspection SET shift_id = ("
            "  SELECT s.id FROM shifts_shift s WHERE s.line_id = quality_inspection.line_id"
            "  AND s.starts_at <= quality_inspection.inspected_at"
            "  AND s.ends_at > quality_inspection.inspected_at"
            "  ORDER BY s.starts_at DESC LIMIT 1"
            ") WHERE plan_id = %s",
            [plan.pk],
        )


@transaction.atomic
def ensure_records(site, user, fill, schedules_per_machine: float = 0.25):
    """The rest of what a plant keeps: PM schedules (a quarter of the machines, due over the
    next two months), open items (one shift in eight raises one; closed the same shift but for
    the last week's), and nonconformances (one per 100 inspections, closed but for the last
    month's). Each only once."""
    from django.db import connection

    from logbook.maintenance.choices import IntervalUnit
    from logbook.maintenance.models import MaintenanceSchedule
    from logbook.quality.models import Inspection, Nonconformance
    from logbook.shifts.models import OpenItem, Shift

    rng = random.Random(5)
    today = timezone.localdate()
    if not MaintenanceSchedule.objects.exists():
        machines = Equipment.objects.filter(line__area__site=site).order_by("pk")
        machines = list(machines.values_list("pk", flat=True))
        chosen = machines[:: round(1 / schedules_per_machine)]
        print(f"generating {len(chosen):,} schedules…", flush=True)
        MaintenanceSchedule.objects.bulk_create(
            [
                MaintenanceSchedule(
                    equipment_id=pk,
                    title=rng.choice(["Lubricate", "Inspect belts", "Replace filters"]),
                    interval=rng.choice([1, 2, 3]),
                    interval_unit=IntervalUnit.MONTHS,
                    anchor_date=today - datetime.timedelta(days=365),
                    tolerance_days=rng.choice([0, 2, 7]),
                    next_due=today + datetime.timedelta(days=rng.randint(-5, 60)),
                    last_done_on=today - datetime.timedelta(days=rng.randint(1, 60)),
                )
                for pk in chosen
            ],
            batch_size=5000,
        )
    if not OpenItem.objects.exists():
        shifts = Shift.objects.filter(line__area__site=site).order_by("pk")
        week_ago = timezone.now() - datetime.timedelta(days=7)
        items = []
        for n, (pk, line_id, ends_at) in _every(8, shifts.values_list("pk", "line_id", "ends_at")):
            still_open = ends_at > week_ago
            items.append(
                OpenItem(
                    line_id=line_id,
                    raised_on_id=pk,
                    raised_by=user,
                    text=f"Guard {n % 97} rattles: check at the next stop",
                    closed_on_id=None if still_open else pk,
                    closed_by=None if still_open else user,
                    closed_at=None if still_open else ends_at,
                )
            )
        print(f"generating {len(items):,} open items…", flush=True)
        OpenItem.objects.bulk_create(items, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE shifts_openitem SET created_at = (SELECT s.starts_at FROM shifts_shift s"
                " WHERE s.id = shifts_openitem.raised_on_id)"
            )
    if not Nonconformance.objects.exists():
        inspections = Inspection.objects.filter(plan=fill.plan).order_by("pk")
        month_ago = timezone.now() - datetime.timedelta(days=30)
        rows = []
        fields = inspections.values_list("pk", "line_id", "inspected_at")
        for _n, (pk, line_id, inspected_at) in _every(100, fields):
            rows.append(
                Nonconformance(
                    inspection_id=pk,
                    line_id=line_id,
                    title="Fill volume out of tolerance",
                    raised_by=user,
                    status="open" if inspected_at > month_ago else "closed",
                )
            )
        print(f"generating {len(rows):,} nonconformances…", flush=True)
        Nonconformance.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE quality_nonconformance SET raised_at = (SELECT i.inspected_at"
                " FROM quality_inspection i WHERE i.id = quality_nonconformance.inspection_id)"
            )


def _every(step, rows):
    """(n, row) of every ``step``-th row of a values queryset, read in chunks."""
    for n, row in enumerate(rows.iterator(chunk_size=10_000)):
        if n % step == 0:
            yield n, row
