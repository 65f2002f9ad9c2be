"""A large plant for the benchmarks, made with bulk inserts (minutes would go to save())."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
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
def ensure_plant(equipment_count: int, readings_per_meter: int):
    """Return (a supervisor of the big site, one sample equipment); build the plant if absent."""
    site, _ = Site.objects.get_or_create(
        code="BENCH", defaults={"name": "Benchmark plant", "timezone": "Europe/Berlin"}
    )
    user, _ = User.objects.get_or_create(username="bench-supervisor")
    user.groups.set(Group.objects.filter(name="supervisor"))
    user.sites.set([site])
    have = Equipment.objects.filter(line__area__site=site).count()
    if have >= equipment_count:
        return user, Equipment.objects.filter(line__area__site=site).order_by("pk")[100]
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
        for i in range(100)
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
    return user, Equipment.objects.filter(line__area__site=site).order_by("pk")[100]
