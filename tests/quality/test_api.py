from decimal import Decimal

import pytest

from logbook.quality.models import Inspection, InspectionPlan

ENDPOINTS = ["/api/inspection-plans/", "/api/inspections/", "/api/nonconformances/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused_and_endpoints_are_in_the_schema(api, client, db, url):
    assert api().get(url).status_code in (401, 403)
    assert url in client.get("/api/schema/?format=json").json()["paths"]


def test_plans_inspections_and_nonconformances_through_the_api(api, quality, technician, line):
    created = api(quality).post(
        "/api/inspection-plans/",
        {
            "name": "Final",
            "product": "Cola",
            "line": line.pk,
            "characteristics": [
                {"name": "Fill", "kind": "variable", "lsl": "495", "usl": "505", "decimals": 1},
                {"name": "Seal", "kind": "attribute", "defect_types": "Leak"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["version"] == 1
    fill, seal = (c["id"] for c in plan["characteristics"])
    inspection = api(technician).post(
        "/api/inspections/",
        {
            "plan": plan["id"],
            "batch": "B-1",
            "measurements": [
                {"characteristic": fill, "value": "505.0"},
                {"characteristic": seal, "passed": True},
            ],
        },
        format="json",
    )
    assert inspection.status_code == 201, inspection.json()
    body = inspection.json()
    assert body["verdict"] == "pass" and body["measurements"][0]["value"] == "505.0"
    # A verdict stands: nobody edits an inspection, even quality staff.
    assert (
        api(quality)
        .patch(f"/api/inspections/{body['id']}/", {"batch": "x"}, format="json")
        .status_code
        == 405
    )
    bad = api(technician).post(
        "/api/inspections/",
        {
            "plan": plan["id"],
            "batch": "B-2",
            "measurements": [
                {"characteristic": fill, "value": "505.01"},
                {"characteristic": seal, "passed": False},
            ],
        },
        format="json",
    )
    assert bad.status_code == 400
    # Editing a plan in use makes version 2; the inspection keeps version 1.
    edited = api(quality).patch(
        f"/api/inspection-plans/{plan['id']}/",
        {
            "characteristics": [
                {"name": "Fill", "kind": "variable", "lsl": "497", "usl": "503", "decimals": 1}
            ]
        },
        format="json",
    )
    assert edited.json()["version"] == 2
    assert Inspection.objects.get().plan_id == plan["id"]
    assert InspectionPlan.objects.get(pk=plan["id"]).characteristics.count() == 2
    nc = api(technician).post(
        "/api/nonconformances/",
        {"line": line.pk, "title": "Leak", "severity": "critical"},
        format="json",
    )
    assert nc.status_code == 201 and nc.json()["status"] == "open"


def test_a_technician_cannot_write_plans(api, technician, line):
    response = api(technician).post(
        "/api/inspection-plans/",
        {
            "name": "X",
            "product": "X",
            "line": line.pk,
            "characteristics": [{"name": "F", "kind": "variable", "lsl": Decimal(1)}],
        },
        format="json",
    )
    assert response.status_code == 403
