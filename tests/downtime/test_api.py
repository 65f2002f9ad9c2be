import pytest

from logbook.downtime import services
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import EquipmentEvent
from tests.factories import signed_in
from tests.timeline import at

ENDPOINTS = [
    "/api/reason-codes/",
    "/api/failure-codes/",
    "/api/downtime/",
    "/api/equipment-events/",
    "/api/reports/reliability/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused(api, db, url):
    assert api().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_endpoints_are_in_the_schema(client, db, url):
    assert url in signed_in(client).get("/api/schema/?format=json").json()["paths"]


def test_a_machine_posts_a_stop_without_a_reason_and_it_is_listed_to_classify(
    api, technician, frozen, filler
):
    response = api(technician).post(
        "/api/downtime/",
        {
            "equipment": filler.pk,
            "started_at": "2026-06-15T07:00:00Z",
            "ended_at": "2026-06-15T07:12:00Z",
            "symptom": "E-stop pressed",
            "source": "machine",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["duration_minutes"] == 12
    assert body["reason"] is None and body["state"] == "ended"
    listed = api(technician).get("/api/downtime/?kind=unclassified").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_stages_in_the_wrong_order_are_a_400(api, technician, frozen, filler):
    response = api(technician).post(
        "/api/downtime/",
        {
            "equipment": filler.pk,
            "started_at": "2026-06-15T07:00:00Z",
            "responded_at": "2026-06-15T06:50:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "responded_at" in response.json()


def test_an_overlap_is_a_400_naming_the_other_incident(api, technician, frozen, filler):
    first = services.incident_open(
        equipment=filler, user=technician, started_at=at(7), ended_at=at(8)
    )
    response = api(technician).post(
        "/api/downtime/",
        {
            "equipment": filler.pk,
            "started_at": "2026-06-15T05:30:00Z",
            "ended_at": "2026-06-15T06:30:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert f"incident #{first.pk}" in str(response.json())


def test_stage_close_and_amend_actions(api, technician, supervisor, frozen, filler, reasons):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9))
    client = api(technician)
    assert client.post(f"/api/downtime/{incident.pk}/responded/").status_code == 200
    body = client.post(f"/api/downtime/{incident.pk}/ended/", {}, format="json").json()
    assert body["state"] == "ended" and body["duration_minutes"] == 60
    close = {"reason": reasons["jam"].pk, "cause": "Guide", "action_taken": "Cleared"}
    refused = client.post(f"/api/downtime/{incident.pk}/close/", close, format="json")
    assert refused.status_code == 400 and "failure_mode" in refused.json()
    close.update({name: code.pk for name, code in reasons["coding"].items()})
    assert (
        client.post(f"/api/downtime/{incident.pk}/close/", close, format="json").json()["state"]
        == "closed"
    )
    locked = client.patch(f"/api/downtime/{incident.pk}/", {"symptom": "x"}, format="json")
    assert locked.status_code == 409 and "closed" in locked.json()["detail"]
    assert (
        client.post(
            f"/api/downtime/{incident.pk}/amend/", {"amend_reason": "x"}, format="json"
        ).status_code
        == 403
    )
    amended = api(supervisor).post(
        f"/api/downtime/{incident.pk}/amend/",
        {
            "amend_reason": "Restart was at 09:50",
            "responded_at": "2026-06-15T07:20:00Z",
            "ended_at": "2026-06-15T07:50:00Z",
        },
        format="json",
    )
    assert amended.status_code == 201, amended.json()
    assert amended.json()["duration_minutes"] == 50
    assert DowntimeIncident.objects.count() == 2


def test_an_incident_cannot_move_to_another_machine(api, technician, frozen, filler):
    from tests.factories import EquipmentFactory

    incident = services.incident_open(equipment=filler, user=technician)
    other = EquipmentFactory(line=filler.line)
    response = api(technician).patch(
        f"/api/downtime/{incident.pk}/", {"equipment": other.pk}, format="json"
    )
    assert response.status_code == 400


def test_another_sites_equipment_is_refused(api, technician, frozen, other_equipment):
    response = api(technician).post(
        "/api/downtime/", {"equipment": other_equipment.pk}, format="json"
    )
    assert response.status_code == 400
    assert "equipment" in response.json()


def test_the_equipment_api_shows_the_effective_status(api, technician, frozen, filler):
    services.incident_open(equipment=filler, user=technician)
    body = api(technician).get(f"/api/equipment/{filler.pk}/").json()
    assert body["status"] == "running" and body["effective_status"] == "down"


def test_a_machine_posts_alarms_once(api, technician, filler):
    client = api(technician)
    event = {
        "equipment": filler.pk,
        "occurred_at": "2026-06-15T07:00:00Z",
        "code": "error3",
        "message": "Vibration high",
    }
    assert client.post("/api/equipment-events/", event, format="json").status_code == 201
    assert client.post("/api/equipment-events/", event, format="json").status_code == 400
    assert EquipmentEvent.objects.count() == 1


def test_the_reliability_report(api, supervisor, technician, frozen, filler, reasons):
    services.incident_open(
        equipment=filler, user=technician, started_at=at(7), ended_at=at(8), reason=reasons["jam"]
    )
    response = api(supervisor).get(
        f"/api/reports/reliability/?equipment={filler.pk}"
        "&start=2026-06-15T00:00:00%2B02:00&end=2026-06-16T00:00:00%2B02:00"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["failures"] == 1
    assert body["downtime_hours"] == 1
    assert body["operating_hours"] == 9  # the period ends now, 10:00
    assert body["mtbf_hours"] == 9
    assert body["mttr_hours"] == 1
    assert body["availability"] == 0.9
    line = (
        api(supervisor)
        .get(
            f"/api/reports/reliability/?line={filler.line_id}"
            "&start=2026-06-14T00:00:00Z&end=2026-06-14T12:00:00Z"
        )
        .json()
    )
    assert line["failures"] == 0 and line["mtbf_hours"] is None and line["mttr_hours"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("equipment=1&start=yesterday&end=2026-06-16T00:00:00Z", "start"),
        ("equipment=1&start=2026-06-15T00:00:00&end=2026-06-16T00:00:00Z", "start"),
        ("equipment=1&start=2026-06-16T00:00:00Z&end=2026-06-15T00:00:00Z", "end"),
        ("start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "scope"),
        ("equipment=x&start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "equipment"),
        ("equipment=1&start=2026-13-45T00:00:00Z&end=2026-06-16T00:00:00Z", "start"),
    ],
)
def test_bad_report_parameters_are_a_400(api, supervisor, filler, query, field):
    response = api(supervisor).get(f"/api/reports/reliability/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_another_sites_equipment_report_is_a_404(api, outsider, filler):
    response = api(outsider).get(
        f"/api/reports/reliability/?equipment={filler.pk}"
        "&start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z"
    )
    assert response.status_code == 404
