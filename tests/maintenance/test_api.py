import pytest

from logbook.maintenance import services
from logbook.maintenance.models import SparePart, WorkOrder
from tests.factories import PASSWORD, signed_in

ENDPOINTS = ["/api/schedules/", "/api/work-orders/", "/api/spare-parts/", "/api/certifications/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused(api, db, url):
    assert api().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_endpoint_lists_and_is_in_the_schema(api, client, technician, url):
    assert api(technician).get(url).status_code == 200
    assert url in signed_in(client).get("/api/schema/?format=json").json()["paths"]


def test_a_schedule_with_a_nested_checklist(api, planner, filler, frozen):
    response = api(planner).post(
        "/api/schedules/",
        {
            "equipment": filler.pk,
            "title": "Grease",
            "interval": "2",
            "interval_unit": "weeks",
            "anchor": "fixed",
            "anchor_date": "2026-06-20",
            "tolerance_days": 1,
            "checklist": [
                {"order": 1, "text": "Lock out", "kind": "check"},
                {
                    "order": 2,
                    "text": "Temperature",
                    "kind": "measure",
                    "unit": "°C",
                    "lower_limit": "20",
                    "upper_limit": "60",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["next_due"] == "2026-06-20"
    assert [item["text"] for item in body["checklist"]] == ["Lock out", "Temperature"]
    bad = api(planner).post(
        "/api/schedules/",
        {
            "equipment": filler.pk,
            "title": "Oil",
            "interval": "500",
            "interval_unit": "meter",
        },
        format="json",
    )
    assert bad.status_code == 400 and "meter" in bad.json()


def test_the_work_order_life_cycle_through_the_api(api, technician, supervisor, pm_schedule, part):
    services.generate_pm_work_orders()
    work_order = WorkOrder.objects.get()
    url = f"/api/work-orders/{work_order.pk}"
    tech = api(technician)
    assert tech.post(f"{url}/complete/", {}, format="json").status_code == 400  # not started
    assert tech.post(f"{url}/start/").json()["status"] == "in_progress"
    rows = tech.get(f"{url}/").json()["checklist"]
    answers = [{"id": rows[0]["id"], "done": True}, {"id": rows[1]["id"], "value": "9.5"}]
    refused = tech.post(f"{url}/complete/", {"checklist": answers}, format="json")
    assert refused.status_code == 400 and "Isolate the equipment" in str(refused.json())
    # Two locks on, kept in the order; the checklist is kept step by step meanwhile.
    locked = tech.post(
        f"{url}/lockout/",
        {
            "points": [
                {"source": "Main switch", "lock_number": "17", "tag_number": "T17"},
                {"source": "Air valve", "lock_number": "18"},
            ]
        },
        format="json",
    )
    assert locked.status_code == 200, locked.json()
    points = locked.json()["isolation_points"]
    assert [(p["lock_number"], p["removed_at"]) for p in points] == [("17", None), ("18", None)]
    active = tech.get("/api/lockouts/?active=true").json()["results"]
    assert sorted(p["lock_number"] for p in active) == ["17", "18"]
    kept = tech.post(f"{url}/checklist/", {"checklist": answers[:1]}, format="json")
    assert kept.status_code == 200, kept.json()
    assert kept.json()["checklist"][0]["done"] is True
    still_on = tech.post(f"{url}/complete/", {"checklist": answers}, format="json")
    assert still_on.status_code == 400 and "Remove the locks (17, 18)" in str(still_on.json())
    no_check = tech.post(
        f"{url}/lockout-remove/", {"points": [p["id"] for p in points]}, format="json"
    )
    assert no_check.status_code == 400 and "startup_checked" in no_check.json()
    off = tech.post(
        f"{url}/lockout-remove/",
        {"points": [p["id"] for p in points], "startup_checked": True},
        format="json",
    )
    assert off.status_code == 200 and off.json()["startup_checked_at"]
    assert tech.get("/api/lockouts/?active=true").json()["results"] == []
    short = tech.post(
        f"{url}/complete/",
        {
            "checklist": answers,
            "parts_used": [{"part": part.pk, "quantity": "9"}],
        },
        format="json",
    )
    assert short.status_code == 400 and "Only 5 L of LUB-220" in str(short.json())
    done = tech.post(
        f"{url}/complete/",
        {
            "checklist": answers,
            "findings": "ok",
            "labour_minutes": 30,
            "parts_used": [{"part": part.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done"
    assert SparePart.objects.get().stock == 4
    assert tech.post(f"{url}/verify/", {"password": PASSWORD}, format="json").status_code == 403
    sup = api(supervisor)
    assert sup.post(f"{url}/reopen/", {}, format="json").status_code == 400
    verified = sup.post(
        f"{url}/verify/", {"password": PASSWORD, "meaning": "approved"}, format="json"
    )
    assert verified.json()["status"] == "verified"
    locked = sup.post(f"{url}/reopen/", {"reason": "again"}, format="json")
    assert locked.status_code == 409
    assert sup.patch(f"{url}/", {"title": "x"}, format="json").status_code == 409
    assert verified.json()["signature"]["signer_name"] == "Dana Kowalski"

    # A correction to verified work is an amendment beside it; the order stays as signed.
    correction = {"text": "Used 1.5 L, not 1 L", "reason": "Recounted the drum"}
    assert tech.post(f"{url}/amend/", correction, format="json").status_code == 403
    assert sup.post(f"{url}/amend/", {"text": "x"}, format="json").status_code == 400
    amended = sup.post(f"{url}/amend/", correction, format="json")
    assert amended.status_code == 201
    assert amended.json()["amendments"][0]["reason"] == "Recounted the drum"
    assert amended.json()["findings"] == "ok" and amended.json()["status"] == "verified"


def test_a_technician_raises_a_repair_but_cannot_replan_it(
    api, technician, planner, filler, frozen
):
    created = api(technician).post(
        "/api/work-orders/",
        {"equipment": filler.pk, "title": "Fix the guide", "priority": 3},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["kind"] == "corrective" and body["status"] == "open"
    url = f"/api/work-orders/{body['id']}/"
    assert api(technician).patch(url, {"priority": 4}, format="json").status_code == 403
    assert api(planner).patch(url, {"priority": 4}, format="json").json()["priority"] == 4


def test_parts_never_go_negative_through_the_api(api, planner, part):
    response = api(planner).patch(f"/api/spare-parts/{part.pk}/", {"stock": "-1"}, format="json")
    assert response.status_code == 400


def test_another_sites_work_order_is_404(api, outsider, technician, filler, frozen):
    work_order = services.work_order_create(equipment=filler, user=technician, title="Fix")
    assert api(outsider).post(f"/api/work-orders/{work_order.pk}/start/").status_code == 404
