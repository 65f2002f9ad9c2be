"""The demo plant's register (sites, areas, lines, equipment, meters) and meter readings."""

import datetime
import random
from decimal import Decimal

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

READING_WEEKS = 8


def load_register(data, stdout):
    classes = {}
    for row in data["equipment_classes"]:
        classes[row["code"]], _ = EquipmentClass.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
    made = 0
    for site_row in data["sites"]:
        site, _ = Site.objects.get_or_create(
            code=site_row["code"],
            defaults={"name": site_row["name"], "timezone": site_row["timezone"]},
        )
        for area_row in site_row["areas"]:
            area, _ = Area.objects.get_or_create(site=site, name=area_row["name"])
            for line_row in area_row["lines"]:
                line, _ = Line.objects.get_or_create(
                    area=area, code=line_row["code"], defaults={"name": line_row["name"]}
                )
                for row in line_row["equipment"]:
                    made += _equipment(row, line, classes)
    stdout.write(f"equipment: {made} created")


def _equipment(row, line, classes) -> int:
    parent = Equipment.objects.get(asset_tag=row["parent"]) if row.get("parent") else None
    equipment, created = Equipment.objects.get_or_create(
        asset_tag=row["asset_tag"],
        defaults={
            "name": row["name"],
            "line": line,
            "parent": parent,
            "equipment_class": classes[row["equipment_class"]],
            "manufacturer": row["manufacturer"],
            "model": row["model"],
            "serial_number": row["serial_number"],
            "criticality": row["criticality"],
            "status": row["status"],
            "commissioned_on": datetime.date.fromisoformat(row["commissioned_on"]),
        },
    )
    for meter_row in row["meters"]:
        Meter.objects.get_or_create(
            equipment=equipment,
            name=meter_row["name"],
            defaults={"unit": meter_row["unit"], "resets": meter_row["resets"]},
        )
    return int(created)


def load_readings(data, stdout):
    """Weekly readings over the last weeks, at 07:30 site time, for meters that have none."""
    reader = User.objects.filter(groups__name="technician").order_by("pk").first()
    made = 0
    for site_row in data["sites"]:
        zone = Site.objects.get(code=site_row["code"]).zone
        today = timezone.localdate(timezone=zone)
        for area_row in site_row["areas"]:
            for line_row in area_row["lines"]:
                for row in line_row["equipment"]:
                    for meter_row in row["meters"]:
                        meter = Meter.objects.get(
                            equipment__asset_tag=row["asset_tag"], name=meter_row["name"]
                        )
                        if meter.readings.exists():
                            continue
                        made += _readings(meter, meter_row, today, zone, reader)
    stdout.write(f"meter readings: {made} created")


def _readings(meter, meter_row, today, zone, reader) -> int:
    rng = random.Random(meter.equipment.asset_tag + meter.name)
    value = Decimal(meter_row["start"])
    rows = []
    for weeks_ago in range(READING_WEEKS, -1, -1):
        day = today - datetime.timedelta(weeks=weeks_ago)
        # 07:30 local on that day: the morning round, whatever the zone's offset that week.
        taken_at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=zone)
        taken_at = min(taken_at, timezone.now() - datetime.timedelta(minutes=30))
        rows.append(MeterReading(meter=meter, value=value, taken_at=taken_at, taken_by=reader))
        weekly = Decimal(meter_row["per_day"]) * 7 * Decimal(rng.uniform(0.85, 1.05))
        value += weekly.quantize(Decimal("1") if meter.unit == "cycles" else Decimal("0.1"))
    MeterReading.objects.bulk_create(rows)
    return len(rows)
