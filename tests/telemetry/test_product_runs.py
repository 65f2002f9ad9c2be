"""The product the line runs, set on the shift: the counting machine's counts fill its
production record, beside whatever a person types, once and in the right product."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from logbook.shifts import services
from logbook.shifts.models import ProductionRecord
from logbook.telemetry.services import ingest
from tests.factories import PASSWORD
from tests.timeline import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting(filler):
    filler.counts_line_output = True
    filler.save()
    return filler


def reading(machine, hour, minute, total, reject):
    return {
        "asset_tag": machine.asset_tag,
        "at": at(hour, minute).isoformat(),
        "kind": "count",
        "value": {"total": total, "reject": reject},
    }


def run(shift, user, product, hour, minute):
    return services.production_record_add(
        shift=shift,
        user=user,
        product=product,
        ideal_cycle_time_s=Decimal("0.4"),
        started_at=at(hour, minute),
        from_machine=True,
    )


def test_each_product_gets_what_the_machine_counted_while_it_ran(site, shift, technician, counting):
    ingest(site=site, items=[reading(counting, 6, 0, 0, 0), reading(counting, 7, 0, 500, 5)])
    water = run(shift, technician, "Water 0.5 l", 6, 0)
    assert (water.produced_count, water.good_count) == (500, 495)

    # The line changes over at 08:00; counts keep coming, some late and out of order.
    juice = run(shift, technician, "Juice 1 l", 8, 0)
    ingest(
        site=site,
        items=[
            reading(counting, 9, 0, 1800, 20),
            reading(counting, 7, 59, 1000, 10),
            reading(counting, 9, 0, 1800, 20),  # repeated
        ],
    )
    water.refresh_from_db()
    juice.refresh_from_db()
    assert (water.produced_count, water.good_count) == (1000, 990)
    assert (juice.produced_count, juice.good_count) == (800, 790)
    assert (juice.machine_produced_count, juice.machine_good_count) == (800, 790)
    # Nothing counted twice: the records add up to what the machine counted in the shift.
    assert water.produced_count + juice.produced_count == 1800


def test_typed_counts_stay_beside_the_machines_and_are_not_overwritten(
    as_user, site, shift, technician, counting
):
    water = run(shift, technician, "Water 0.5 l", 6, 0)
    ingest(site=site, items=[reading(counting, 6, 0, 0, 0), reading(counting, 7, 0, 600, 6)])
    services.production_record_update(
        record=water, user=technician, produced_count=650, good_count=640
    )
    ingest(site=site, items=[reading(counting, 8, 0, 900, 9)])
    water.refresh_from_db()
    assert not water.from_machine
    assert (water.produced_count, water.good_count) == (650, 640)
    assert (water.machine_produced_count, water.machine_good_count) == (900, 891)
    page = as_user(technician).get(shift.get_absolute_url()).content.decode()
    assert "Typed; the machine counted 900 produced, 891 good" in page
    assert "Recorded counts differ by -250" in page

    # Back to the machine's counts, with the box on the edit form.
    response = as_user(technician).post(
        f"/shifts/production/{water.pk}/edit/",
        {
            "product": "Water 0.5 l",
            "produced_count": "",
            "good_count": "",
            "ideal_cycle_time_s": "0.4",
            "planned_stop_minutes": "0",
            "started_at": "2026-06-15T06:00",
            "from_machine": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    water.refresh_from_db()
    assert water.from_machine and (water.produced_count, water.good_count) == (900, 891)


def test_the_technician_starts_a_product_on_the_shift_page(
    as_user, site, shift, technician, counting
):
    ingest(site=site, items=[reading(counting, 6, 0, 0, 0), reading(counting, 6, 30, 120, 2)])
    client = as_user(technician)
    page = client.get(shift.get_absolute_url()).content.decode()
    assert 'id="run-product"' in page
    response = client.post(
        f"/shifts/{shift.pk}/production/run/",
        {"product": "Water 0.5 l", "ideal_cycle_time_s": "0.4", "planned_stop_minutes": "0"},
    )
    assert response.status_code == 302
    record = ProductionRecord.objects.get(shift=shift)
    # From now (10:00 in the tests' clock): what came before is in no record, and says so.
    assert record.from_machine and record.started_at == at(10, 0)
    assert record.produced_count == 0
    page = client.get(shift.get_absolute_url()).content.decode()
    assert "Machine counts" in page
    assert "120 units were counted before the first product started" in page
    # The form offers the product the line ran last.
    assert 'name="product" value="Water 0.5 l"' in page


def test_no_product_run_without_a_counting_machine(as_user, shift, technician, filler):
    with pytest.raises(ValidationError) as refused:
        run(shift, technician, "Water 0.5 l", 6, 0)
    assert "from_machine" in refused.value.message_dict
    assert (
        'id="run-product"' not in as_user(technician).get(shift.get_absolute_url()).content.decode()
    )
    assert not ProductionRecord.objects.exists()


def test_two_products_cannot_start_at_once_nor_outside_the_shift(shift, technician, counting):
    run(shift, technician, "Water 0.5 l", 6, 0)
    with pytest.raises(ValidationError) as refused:
        run(shift, technician, "Juice 1 l", 6, 0)
    assert "started_at" in refused.value.message_dict
    with pytest.raises(ValidationError):
        run(shift, technician, "Juice 1 l", 15, 0)
    assert ProductionRecord.objects.count() == 1


def test_handover_and_sign_off_write_the_machine_counts_to_history_then_nothing_changes(
    site, shift, technician, supervisor, counting
):
    water = run(shift, technician, "Water 0.5 l", 6, 0)
    ingest(site=site, items=[reading(counting, 6, 0, 0, 0), reading(counting, 7, 0, 300, 3)])
    services.shift_hand_over(shift=shift, user=technician)
    assert water.history.first().produced_count == 300
    services.shift_sign_off(
        shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed", reason="Test"
    )
    ingest(site=site, items=[reading(counting, 8, 0, 900, 9)])
    water.refresh_from_db()
    assert (water.produced_count, water.machine_produced_count) == (300, 300)


def test_the_api_starts_a_run_and_shows_the_machines_figures(
    api, site, shift, technician, counting
):
    ingest(site=site, items=[reading(counting, 6, 0, 0, 0), reading(counting, 7, 0, 250, 5)])
    response = api(technician).post(
        "/api/production-records/",
        {
            "shift": shift.pk,
            "product": "Water 0.5 l",
            "ideal_cycle_time_s": "0.4",
            "started_at": at(6, 0).isoformat(),
            "from_machine": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["produced_count"], body["machine_good_count"]) == (250, 245)
    typed = api(technician).post(
        "/api/production-records/",
        {"shift": shift.pk, "product": "Juice 1 l", "ideal_cycle_time_s": "0.4"},
        format="json",
    )
    assert typed.status_code == 400 and "produced_count" in typed.json()


RUN = {"product": "Water 0.5 l", "ideal_cycle_time_s": "0.4", "planned_stop_minutes": "0"}


def test_the_run_page_refuses_a_line_without_a_counting_machine_with_400(
    as_user, shift, technician, filler
):
    response = as_user(technician).post(f"/shifts/{shift.pk}/production/run/", RUN)
    assert response.status_code == 400
    assert "No machine of this line counts its output." in response.content.decode()
    assert not ProductionRecord.objects.exists()


def test_the_run_page_refuses_a_signed_shift_with_409(as_user, signed_shift, technician, counting):
    before = ProductionRecord.objects.count()
    response = as_user(technician).post(f"/shifts/{signed_shift.pk}/production/run/", RUN)
    assert response.status_code == 409
    assert ProductionRecord.objects.count() == before


def test_the_run_page_refuses_another_sites_shift_and_a_role_without_counts(
    as_user, shift, outsider, operator, counting
):
    assert as_user(outsider).post(f"/shifts/{shift.pk}/production/run/", RUN).status_code == 404
    assert as_user(operator).post(f"/shifts/{shift.pk}/production/run/", RUN).status_code == 403
    assert not ProductionRecord.objects.exists()
