import datetime
from decimal import Decimal

from django.utils import timezone

from logbook.equipment.models import MeterReading
from logbook.equipment.services import meter_reading_record


def test_a_technician_records_a_reading(as_user, technician, run_hours):
    response = as_user(technician).post(
        f"/equipment/meters/{run_hours.pk}/readings/add/", {"value": "1234.5", "taken_at": ""}
    )
    assert response.status_code == 302
    reading = MeterReading.objects.get()
    assert reading.value == Decimal("1234.5")
    assert reading.taken_by == technician
    assert abs(reading.taken_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_a_lower_reading_is_refused_with_a_clear_message(as_user, technician, run_hours):
    meter_reading_record(
        meter=run_hours,
        value=Decimal("1250"),
        taken_by=technician,
        taken_at=timezone.now() - datetime.timedelta(hours=3),
    )
    response = as_user(technician).post(
        f"/equipment/meters/{run_hours.pk}/readings/add/", {"value": "1200"}
    )
    assert response.status_code == 400
    assert "1200 h is lower than the last reading, 1250 h" in response.content.decode()
    assert MeterReading.objects.count() == 1


def test_a_time_given_is_read_in_the_sites_zone(as_user, technician, run_hours):
    as_user(technician).post(
        f"/equipment/meters/{run_hours.pk}/readings/add/",
        {"value": "5", "taken_at": "2026-01-10T08:00"},
    )
    # Berlin is UTC+1 in January.
    expected = datetime.datetime(2026, 1, 10, 7, 0, tzinfo=datetime.UTC)
    assert MeterReading.objects.get().taken_at == expected


def test_not_a_number_is_refused(as_user, technician, run_hours):
    response = as_user(technician).post(
        f"/equipment/meters/{run_hours.pk}/readings/add/", {"value": "lots"}
    )
    assert response.status_code == 400
    assert not MeterReading.objects.exists()


def test_another_sites_meter_is_a_404(as_user, outsider, run_hours):
    response = as_user(outsider).post(
        f"/equipment/meters/{run_hours.pk}/readings/add/", {"value": "5"}
    )
    assert response.status_code == 404
    assert not MeterReading.objects.exists()
