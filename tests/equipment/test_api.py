import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logbook.equipment.models import Equipment, MeterReading, Site
from logbook.equipment.services import meter_reading_record
from tests.conftest import external_references
from tests.factories import EquipmentClassFactory, EquipmentFactory, LineFactory, signed_in
from tests.queries import queries

ENDPOINTS = [
    "/api/sites/",
    "/api/areas/",
    "/api/lines/",
    "/api/equipment-classes/",
    "/api/equipment/",
    "/api/meters/",
    "/api/meter-readings/",
]


def _equipment(line, equipment_class, **overrides):
    return {
        "asset_tag": "L1-LAB-01",
        "name": "Labeler",
        "line": line.pk,
        "equipment_class": equipment_class.pk,
        "criticality": "B",
        "status": "running",
        **overrides,
    }


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused(api, db, url):
    assert api().get(url).status_code in (401, 403)
    assert api().post(url, {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_endpoint_lists_for_a_technician(api, technician, run_hours, url):
    response = api(technician).get(url)
    assert response.status_code == 200
    assert "results" in response.json()


def test_a_list_holds_only_the_users_sites(api, technician, filler, other_equipment):
    tags = [row["asset_tag"] for row in api(technician).get("/api/equipment/").json()["results"]]
    assert tags == ["L1-FIL-01"]


def test_the_list_filters_with_the_pages_filters(api, supervisor, filler, line):
    EquipmentFactory(asset_tag="L1-CAP-01", line=line, status="down")
    client = api(supervisor)
    assert [
        r["asset_tag"] for r in client.get("/api/equipment/?status=down").json()["results"]
    ] == ["L1-CAP-01"]
    found = client.get("/api/equipment/?q=rotary").json()["results"]
    assert [r["asset_tag"] for r in found] == ["L1-FIL-01"]
    assert client.get(f"/api/equipment/?line_id={line.pk}").json()["count"] == 2


def test_a_planner_creates_and_updates_equipment(api, planner, line, filler_class):
    client = api(planner)
    response = client.post("/api/equipment/", _equipment(line, filler_class), format="json")
    assert response.status_code == 201, response.json()
    created = Equipment.objects.get(asset_tag="L1-LAB-01")
    assert response.json()["url"].endswith(f"/equipment/{created.pk}/")
    response = client.patch(f"/api/equipment/{created.pk}/", {"status": "idle"}, format="json")
    assert response.status_code == 200
    created.refresh_from_db()
    assert created.status == "idle"


def test_a_technician_cannot_write_equipment(api, technician, filler):
    client = api(technician)
    response = client.post("/api/equipment/", _equipment(filler.line, filler.equipment_class))
    assert response.status_code == 403
    patch = client.patch(f"/api/equipment/{filler.pk}/", {"name": "x"}, format="json")
    assert patch.status_code == 403


def test_a_duplicate_asset_tag_is_a_400_with_a_reason(api, planner, filler):
    response = api(planner).post(
        "/api/equipment/",
        _equipment(filler.line, filler.equipment_class, asset_tag="L1-FIL-01"),
        format="json",
    )
    assert response.status_code == 400
    assert "asset_tag" in response.json()


def test_an_equipment_cannot_become_its_own_ancestor(api, planner, filler):
    pump = EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    response = api(planner).patch(
        f"/api/equipment/{filler.pk}/", {"parent": pump.pk}, format="json"
    )
    assert response.status_code == 400
    assert "PUMP is a component of L1-FIL-01" in response.json()["parent"][0]


def test_a_line_or_parent_on_another_site_is_refused(api, planner, line, other_equipment):
    client = api(planner)
    response = client.post(
        "/api/equipment/",
        _equipment(other_equipment.line, other_equipment.equipment_class),
        format="json",
    )
    assert response.status_code == 400
    assert "line" in response.json()
    response = client.post(
        "/api/equipment/",
        _equipment(line, other_equipment.equipment_class, parent=other_equipment.pk),
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Equipment.objects.filter(asset_tag="L1-LAB-01").exists()


def test_an_unknown_time_zone_is_a_400(api, admin):
    response = api(admin).post(
        "/api/sites/", {"code": "X", "name": "X", "timezone": "Nowhere/Land"}, format="json"
    )
    assert response.status_code == 400
    assert "Nowhere/Land" in response.json()["timezone"][0]
    assert not Site.objects.filter(code="X").exists()


def test_unknown_and_foreign_ids_are_404(api, outsider, filler):
    client = api(outsider)
    assert client.get("/api/equipment/987654/").status_code == 404
    assert client.get(f"/api/equipment/{filler.pk}/").status_code == 404
    assert (
        client.patch(f"/api/equipment/{filler.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )


def test_deleting_over_the_api_is_not_offered(api, admin, filler):
    assert api(admin).delete(f"/api/equipment/{filler.pk}/").status_code == 405
    assert Equipment.objects.filter(pk=filler.pk).exists()


def test_a_meter_reading_is_recorded_by_the_caller(api, technician, run_hours):
    response = api(technician).post(
        "/api/meter-readings/", {"meter": run_hours.pk, "value": "10.5"}, format="json"
    )
    assert response.status_code == 201, response.json()
    reading = MeterReading.objects.get()
    assert reading.taken_by == technician
    assert response.json()["taken_by"] == technician.pk


def test_a_lower_reading_is_a_400_with_the_reason(api, technician, run_hours):
    meter_reading_record(
        meter=run_hours,
        value=Decimal("500"),
        taken_by=technician,
        taken_at=timezone.now() - datetime.timedelta(hours=1),
    )
    response = api(technician).post(
        "/api/meter-readings/", {"meter": run_hours.pk, "value": "499"}, format="json"
    )
    assert response.status_code == 400
    assert "lower than the last reading, 500 h" in response.json()["value"][0]
    assert MeterReading.objects.count() == 1


def test_the_meter_shows_its_last_reading(api, technician, run_hours):
    meter_reading_record(meter=run_hours, value=Decimal("42"), taken_by=technician)
    row = api(technician).get(f"/api/meters/{run_hours.pk}/").json()
    assert Decimal(row["last_value"]) == Decimal("42")


def test_a_technician_cannot_correct_a_reading_but_a_supervisor_can(
    api, technician, supervisor, run_hours
):
    reading = meter_reading_record(meter=run_hours, value=Decimal("42"), taken_by=technician)
    url = f"/api/meter-readings/{reading.pk}/"
    assert api(technician).patch(url, {"value": "43"}, format="json").status_code == 403
    assert api(supervisor).patch(url, {"value": "43"}, format="json").status_code == 200
    reading.refresh_from_db()
    assert reading.value == Decimal("43")


def test_session_authentication_works_too(client, technician, filler):
    client.force_login(technician)
    assert client.get("/api/equipment/").status_code == 200


def test_the_list_endpoint_runs_a_constant_number_of_queries(api, supervisor, site):
    client = api(supervisor)

    line = LineFactory(area__site=site)
    EquipmentFactory.create_batch(5, line=line)
    few = queries(client, "/api/equipment/?page_size=500")
    for _ in range(195):
        EquipmentFactory(line=line, equipment_class=EquipmentClassFactory())
    assert queries(client, "/api/equipment/?page_size=500") == few


def test_the_schema_lists_every_endpoint(client, db):
    response = signed_in(client).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for url in ENDPOINTS:
        assert url in paths


def test_the_docs_page_loads_nothing_from_the_internet(client, technician):
    client.force_login(technician)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert external_references(html) == []


def test_the_schema_validates_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_a_token_made_with_drf_create_token_opens_the_api(api, technician, filler):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("drf_create_token", technician.username, stdout=out)
    key = out.getvalue().split()[2]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/equipment/").json()["count"] == 1


def test_reading_time_filters_take_any_offset_and_refuse_impossible_years(
    api, technician, run_hours
):
    """Found by the schema fuzzer on PostgreSQL: an ISO time with a +18:11 offset was passed on
    as it was and the database refused it (500)."""
    client = api(technician)
    odd_offset = client.get("/api/meter-readings/", {"taken_before": "2026-06-15T10:00:00+18:11"})
    assert odd_offset.status_code == 200
    ancient = client.get("/api/meter-readings/", {"taken_before": "0483-10-06T08:19:21+18:11"})
    assert ancient.status_code == 400 and "taken_before" in ancient.json()
