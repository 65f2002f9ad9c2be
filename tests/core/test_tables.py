"""The fast export path gives the same cells as django-tables2's own, row for row."""

import datetime

import django_tables2 as tables

from logbook.equipment.models import Equipment, Meter
from logbook.equipment.selectors import meters_with_last_reading
from logbook.equipment.services import meter_reading_record
from logbook.equipment.tables import EquipmentTable, MeterTable
from tests.factories import EquipmentFactory


def _reference(table, exclude=()):
    return list(tables.Table.as_values(table, exclude_columns=exclude))


def test_equipment_export_matches_django_tables2(filler):
    EquipmentFactory(
        asset_tag="PUMP",
        line=filler.line,
        parent=filler,
        status="down",
        criticality="A",
        serial_number="",
    )
    table = EquipmentTable(
        Equipment.objects.select_related("line__area__site", "parent", "equipment_class")
    )
    fast = list(table.as_values(exclude_columns=["commissioned_on"]))
    assert fast == _reference(table, exclude=["commissioned_on"])
    assert fast[0][0] == "Asset tag"
    assert [fast[2][0], fast[2][7], fast[2][6], fast[2][8]] == ["PUMP", "Down", "A", "L1-FIL-01"]


def test_dates_export_as_dates(filler):
    table = EquipmentTable(Equipment.objects.all())
    header, row = list(table.as_values())
    assert row[header.index("Commissioned on")] == datetime.date(2020, 1, 15)


def test_meter_export_matches_django_tables2_but_for_the_time_format(run_hours, technician):
    meter_reading_record(meter=run_hours, value=12, taken_by=technician)
    table = MeterTable(meters_with_last_reading(Meter.objects.select_related("equipment")))
    fast = list(table.as_values(exclude_columns=["last_taken_at"]))
    assert fast == _reference(table, exclude=["last_taken_at"])
    header, row = list(table.as_values())
    read_at = row[header.index("Read at")]
    # The page's wall-clock time, to the second: a real date in a spreadsheet.
    assert isinstance(read_at, datetime.datetime) and read_at.tzinfo is None
    assert read_at.microsecond == 0
