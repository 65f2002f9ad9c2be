from decimal import Decimal

import pytest

from logbook.quality.models import Inspection, InspectionPlan, Nonconformance
from tests.factories import PASSWORD, signed_in

ENDPOINTS = ["/api/inspection-plans/", "/api/inspections/", "/api/nonconformances/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused_and_endpoints_are_in_the_schema(api, client, db, url):
    assert api().get(url).status_code in (401, 403)
    assert url in signed_in(client).get("/api/schema/?format=json").json()["paths"]


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


@pytest.fixture
def raised(api, technician, line):
    response = api(technician).post(
        "/api/nonconformances/",
        {"line": line.pk, "title": "Overfill on batch B-1", "severity": "major"},
        format="json",
    )
    assert response.status_code == 201
    return f"/api/nonconformances/{response.json()['id']}/"


def test_a_nonconformance_is_dispositioned_closed_and_amended_through_the_api(
    api, quality, technician, raised
):
    # The technician raises; only quality staff disposition, close and amend.
    for step, body in (
        ("disposition/", {"disposition": "rework"}),
        ("amend/", {"text": "x", "reason": "y"}),
    ):
        assert api(technician).post(f"{raised}{step}", body, format="json").status_code == 403
    client = api(quality)
    assert (
        client.post(f"{raised}disposition/", {"disposition": "melt"}, format="json").status_code
        == 400
    )
    premature = client.post(
        f"{raised}close/", {"password": PASSWORD, "root_cause": "a"}, format="json"
    )
    assert premature.status_code == 400  # the corrective action is missing
    done = client.post(
        f"{raised}disposition/", {"disposition": "rework", "containment": "Held"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "dispositioned"

    close = {"root_cause": "Probe drift", "corrective_action": "Recalibrated"}
    wrong = client.post(f"{raised}close/", {**close, "password": "not mine"}, format="json")
    assert wrong.status_code == 400
    assert "password" in wrong.json()
    closed = client.post(f"{raised}close/", {**close, "password": PASSWORD}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["signature"]["signer_name"] == "Priya Nair"
    assert closed.json()["signature"]["meaning"] == "approved"

    # Closed: it never changes; a correction is an amendment beside it.
    locked = client.patch(raised, {"title": "Changed"}, format="json")
    assert locked.status_code == 409
    amended = client.post(
        f"{raised}amend/", {"text": "Batch B-2 too", "reason": "Found later"}, format="json"
    )
    assert amended.status_code == 201
    assert [a["text"] for a in amended.json()["amendments"]] == ["Batch B-2 too"]
    assert Nonconformance.objects.get().title == "Overfill on batch B-1"


def test_quality_signs_an_inspection_through_the_api(api, quality, technician, line):
    from logbook.quality import services

    plan = services.plan_save(
        plan=InspectionPlan(name="Final", product="Cola", line=line),
        user=quality,
        characteristics=[{"name": "Fill", "kind": "variable", "lsl": Decimal(495)}],
    )
    inspection = services.inspection_record(
        plan=plan,
        user=technician,
        batch="B-1",
        results={plan.characteristics.get().pk: "500"},
    )
    url = f"/api/inspections/{inspection.pk}/sign/"
    assert api(technician).post(url, {"password": PASSWORD}, format="json").status_code == 403
    assert api(quality).post(url, {"password": "nope"}, format="json").status_code == 400
    signed = api(quality).post(url, {"password": PASSWORD}, format="json")
    assert signed.status_code == 200
    assert signed.json()["signature"]["meaning"] == "reviewed"
    assert api(quality).post(url, {"password": PASSWORD}, format="json").status_code == 409
