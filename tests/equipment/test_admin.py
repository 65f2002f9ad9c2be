import datetime
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.utils import timezone

from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)
from logbook.equipment.services import meter_reading_record

MODELS = [Site, Area, Line, EquipmentClass, Equipment, Meter, MeterReading]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_registered_with_lists_and_search(model):
    model_admin = django_admin.site._registry[model]
    assert model_admin.search_fields
    assert len(model_admin.list_display) > 1 or model is Site


@pytest.mark.parametrize("model", MODELS)
def test_an_admin_opens_every_changelist_and_add_form(as_user, admin, run_hours, model):
    opts = model._meta
    client = as_user(admin)
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/").status_code == 200
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 200


def test_the_admin_searches_equipment_by_asset_tag(as_user, admin, filler, other_equipment):
    response = as_user(admin).get("/admin/equipment/equipment/?q=L1-FIL")
    assert "L1-FIL-01" in response.content.decode()
    assert "B1-FIL-01" not in response.content.decode()


def test_the_admin_refuses_an_equipment_as_its_own_ancestor(as_user, admin, filler):
    pump = Equipment.objects.create(
        asset_tag="PUMP",
        name="Pump",
        line=filler.line,
        parent=filler,
        equipment_class=filler.equipment_class,
    )
    data = {
        "asset_tag": filler.asset_tag,
        "name": filler.name,
        "line": filler.line.pk,
        "parent": pump.pk,
        "equipment_class": filler.equipment_class.pk,
        "criticality": "B",
        "status": "running",
        "meters-TOTAL_FORMS": "0",
        "meters-INITIAL_FORMS": "0",
    }
    response = as_user(admin).post(f"/admin/equipment/equipment/{filler.pk}/change/", data)
    assert response.status_code == 200
    assert "PUMP is a component of L1-FIL-01" in response.content.decode()
    filler.refresh_from_db()
    assert filler.parent is None


def test_the_admin_refuses_a_lower_meter_reading(as_user, admin, technician, run_hours):
    meter_reading_record(
        meter=run_hours,
        value=Decimal("900"),
        taken_by=technician,
        taken_at=timezone.now() - datetime.timedelta(hours=2),
    )
    # An admin of every site enters times in UTC (the admin shows which zone it uses).
    now = timezone.now() - datetime.timedelta(minutes=10)
    response = as_user(admin).post(
        "/admin/equipment/meterreading/add/",
        {
            "meter": run_hours.pk,
            "value": "800",
            "taken_at_0": now.strftime("%Y-%m-%d"),
            "taken_at_1": now.strftime("%H:%M:%S"),
            "taken_by": admin.pk,
        },
    )
    assert "lower than the last reading" in response.content.decode()
    assert MeterReading.objects.count() == 1


def test_the_admin_records_a_reading_through_the_service(as_user, admin, run_hours):
    now = timezone.now()
    response = as_user(admin).post(
        "/admin/equipment/meterreading/add/",
        {
            "meter": run_hours.pk,
            "value": "10",
            "taken_at_0": now.strftime("%Y-%m-%d"),
            "taken_at_1": (now - datetime.timedelta(minutes=10)).strftime("%H:%M:%S"),
            "taken_by": admin.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MeterReading.objects.get().value == Decimal("10")


def test_a_staff_user_who_is_not_an_admin_sees_only_their_sites(
    as_user, supervisor, filler, other_equipment
):
    supervisor.is_staff = True
    supervisor.save()
    html = as_user(supervisor).get("/admin/equipment/equipment/").content.decode()
    assert "L1-FIL-01" in html
    assert "B1-FIL-01" not in html


def test_the_admin_shows_a_records_history(as_user, admin, filler):
    filler.name = "Renamed filler"
    filler.save()
    response = as_user(admin).get(f"/admin/equipment/equipment/{filler.pk}/history/")
    assert response.status_code == 200
    assert "Renamed filler" in response.content.decode()
