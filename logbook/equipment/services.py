"""Writes on the equipment register that carry rules beyond one row."""

from decimal import Decimal

from django.db import transaction

from logbook.equipment.models import Meter, MeterReading, Site


@transaction.atomic
def site_create(*, user, **fields) -> Site:
    """Create a site; whoever creates it (if not an admin) becomes a member so they can see it."""
    site = Site(**fields)
    site.full_clean()
    site.save()
    if not user.sees_all_sites:
        user.sites.add(site)
    return site


@transaction.atomic
def meter_reading_record(*, meter: Meter, value: Decimal, taken_by, taken_at=None) -> MeterReading:
    """Record a reading. A meter that does not reset refuses a value below its last reading.

    The meter row is locked first, so two technicians reading the same meter at once are checked
    one after the other, each against the other's reading.
    """
    Meter.objects.select_for_update().filter(pk=meter.pk).first()
    reading = MeterReading(meter=meter, value=value, taken_by=taken_by)
    if taken_at is not None:
        reading.taken_at = taken_at
    reading.full_clean()
    reading.save()
    return reading


@transaction.atomic
def meter_reading_update(*, reading: MeterReading, **fields) -> MeterReading:
    """Correct a reading (supervisors); the same monotonic rule holds against its neighbours."""
    Meter.objects.select_for_update().filter(pk=reading.meter_id).first()
    for name, value in fields.items():
        setattr(reading, name, value)
    reading.full_clean()
    reading.save()
    return reading
