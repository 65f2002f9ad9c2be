from logbook.downtime import services
from tests.timeline import at


def test_every_downtime_model_has_an_admin_page(as_user, admin, reasons):
    client = as_user(admin)
    for model in ("reasoncode", "failurecode", "downtimeincident"):
        assert client.get(f"/admin/downtime/{model}/").status_code == 200
        assert client.get(f"/admin/downtime/{model}/add/").status_code == 200


def test_a_closed_incident_is_read_only_in_the_admin(
    as_user, admin, technician, frozen, filler, reasons
):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    services.incident_close(
        incident=incident,
        user=technician,
        reason=reasons["jam"],
        cause="x",
        action_taken="y",
        **reasons["coding"],
    )
    client = as_user(admin)
    response = client.post(
        f"/admin/downtime/downtimeincident/{incident.pk}/change/", {"symptom": "rewritten"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"/admin/downtime/downtimeincident/{incident.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    incident.refresh_from_db()
    assert incident.symptom == ""


def test_the_admin_refuses_an_overlapping_incident(as_user, admin, technician, frozen, filler):
    services.incident_open(equipment=filler, user=technician, started_at=at(7), ended_at=at(8))
    response = as_user(admin).post(
        "/admin/downtime/downtimeincident/add/",
        {
            "equipment": filler.pk,
            "started_at_0": "2026-06-15",
            "started_at_1": "05:30:00",
            "ended_at_0": "2026-06-15",
            "ended_at_1": "06:30:00",
            "source": "manual",
        },
    )
    assert response.status_code in (200, 400)
    assert "was already down then" in response.content.decode()
