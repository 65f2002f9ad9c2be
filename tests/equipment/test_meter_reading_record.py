import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from logbook.equipment.services import meter_reading_record, meter_reading_update
from tests.factories import MeterFactory

NOW = timezone.now()


def _read(meter, value, user, hours_ago=0):
    return meter_reading_record(
        meter=meter,
        value=Decimal(value),
        taken_by=user,
        taken_at=NOW - datetime.timedelta(hours=hours_ago),
    )


def test_it_records_a_rising_reading(run_hours, technician):
    _read(run_hours, "100", technician, hours_ago=5)
    reading = _read(run_hours, "104.5", technician)
    assert reading.pk and reading.taken_by == technician
    assert run_hours.readings.count() == 2


def test_it_refuses_a_lower_reading_on_a_meter_that_does_not_reset(run_hours, technician):
    _read(run_hours, "1250", technician, hours_ago=5)
    with pytest.raises(ValidationError) as error:
        _read(run_hours, "1200", technician)
    message = error.value.message_dict["value"][0]
    assert "1200 h is lower than the last reading, 1250 h" in message
    assert run_hours.readings.count() == 1


def test_an_equal_reading_is_fine(run_hours, technician):
    _read(run_hours, "1250", technician, hours_ago=5)
    _read(run_hours, "1250", technician)


def test_a_meter_that_resets_accepts_a_lower_reading(filler, technician):
    counter = MeterFactory(equipment=filler, name="Batch counter", unit="cycles", resets=True)
    _read(counter, "900", technician, hours_ago=5)
    _read(counter, "3", technician)
    assert counter.readings.count() == 2


def test_a_late_entry_must_fit_between_its_neighbours(run_hours, technician):
    _read(run_hours, "100", technician, hours_ago=10)
    _read(run_hours, "200", technician, hours_ago=2)
    _read(run_hours, "150", technician, hours_ago=6)
    with pytest.raises(ValidationError) as error:
        _read(run_hours, "250", technician, hours_ago=4)
    assert "higher than the later reading, 200" in error.value.message_dict["value"][0]


def test_a_reading_cannot_be_taken_in_the_future(run_hours, technician):
    with pytest.raises(ValidationError) as error:
        _read(run_hours, "10", technician, hours_ago=-2)
    assert "future" in error.value.message_dict["taken_at"][0]


def test_a_correction_is_checked_against_the_other_readings(run_hours, technician):
    _read(run_hours, "100", technician, hours_ago=10)
    later = _read(run_hours, "200", technician)
    with pytest.raises(ValidationError):
        meter_reading_update(reading=later, value=Decimal("50"))
    later.refresh_from_db()
    assert later.value == Decimal("200")
