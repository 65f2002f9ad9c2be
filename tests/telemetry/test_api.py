"""The gateway's endpoint: its key posts signals for its site, and is good for nothing else."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from logbook.downtime.models import DowntimeIncident
from logbook.telemetry.models import Gateway, MicroStop
from logbook.telemetry.services import MAX_BATCH, ingest

pytestmark = pytest.mark.django_db


def gateway_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def key(site):
    out = StringIO()
    call_command("gateway_token", "plt", "--name", "Line 1 PLC", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def signal(machine, minutes_ago, kind="state", value="running", **extra):
    at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    return {
        "asset_tag": machine.asset_tag,
        "at": at.isoformat(),
        "kind": kind,
        "value": value,
        **extra,
    }


def test_a_gateway_posts_a_batch_and_gets_a_result_per_signal(key, filler, other_equipment):
    batch = [
        signal(filler, 30),
        signal(filler, 20, value="stopped", id="plc-7"),
        signal(other_equipment, 20),
        signal(filler, 19, kind="alarm", value={"code": "E042", "text": "Jam"}),
    ]
    response = gateway_client(key).post("/api/signals/", batch, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["duplicates"], body["rejected"]) == (3, 0, 1)
    assert body["results"][2]["outcome"] == "rejected"
    assert "Unknown asset tag" in body["results"][2]["reason"]
    assert DowntimeIncident.objects.get(equipment=filler).machine_started_at is not None

    again = gateway_client(key).post("/api/signals/", batch[:2], format="json").json()
    assert (again["stored"], again["duplicates"]) == (0, 2)
    assert Gateway.objects.get().last_seen_at is not None


def test_a_key_never_reads_as_a_command_line_option(site):
    # A key starting with "-" (1 in 64 before the prefix) broke `simulate_line --key KEY`.
    keys = [Gateway.issue(site=site, name=f"g{n}")[1] for n in range(64)]
    assert all(key.startswith("lbgw_") and len(key) > 40 for key in keys)
    assert len(set(keys)) == 64


def test_the_command_names_a_known_site(site):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="PLT"):
        call_command("gateway_token", "NOPE", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer wrong-key", "Bearer a b", "Basic dXNlcjpwYXNz"],
)
def test_no_valid_key_no_signals(site, filler, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post("/api/signals/", [signal(filler, 5)], format="json")
    assert response.status_code == 401
    assert "Bearer" in response["WWW-Authenticate"]


def test_a_user_token_cannot_post_signals_and_a_revoked_key_is_refused(
    api, technician, key, filler
):
    assert (
        api(technician).post("/api/signals/", [signal(filler, 5)], format="json").status_code == 401
    )
    Gateway.objects.update(active=False)
    response = gateway_client(key).post("/api/signals/", [signal(filler, 5)], format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/downtime/", "/api/equipment/", "/api/micro-stops/"])
def test_a_gateway_key_opens_nothing_else(key, path):
    assert gateway_client(key).get(path).status_code == 401
    assert gateway_client(key).post(path, {}, format="json").status_code == 401


@pytest.mark.parametrize("body", ['{"asset_tag": "x"}', "nonsense", '"a"', "3"])
def test_a_body_that_is_not_an_array_is_a_400(key, body):
    response = gateway_client(key).post("/api/signals/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_batch_too_large_is_refused_whole(key, filler):
    batch = [signal(filler, 30)] * (MAX_BATCH + 1)
    response = gateway_client(key).post("/api/signals/", batch, format="json")
    assert response.status_code == 413
    assert not DowntimeIncident.objects.exists()


def test_micro_stops_are_listed_for_the_users_sites_only(
    api, site, technician, outsider, filler, other_equipment
):
    for machine in (filler, other_equipment):
        ingest(
            site=machine.line.area.site,
            items=[signal(machine, 10), signal(machine, 9, value="stopped"), signal(machine, 8.5)],
        )
    assert MicroStop.objects.count() == 2
    mine = api(technician).get("/api/micro-stops/").json()["results"]
    assert [row["equipment"] for row in mine] == [filler.pk]
    assert mine[0]["seconds"] == pytest.approx(30)
    theirs = api(outsider).get("/api/micro-stops/").json()["results"]
    assert [row["equipment"] for row in theirs] == [other_equipment.pk]


def test_equipment_events_carry_the_incident_they_fell_in(api, technician, key, filler):
    gateway_client(key).post(
        "/api/signals/",
        [
            signal(filler, 30),
            signal(filler, 20, value="fault"),
            signal(filler, 19, kind="alarm", value="E042"),
        ],
        format="json",
    )
    incident = DowntimeIncident.objects.get(equipment=filler)
    events = api(technician).get(f"/api/equipment-events/?incident={incident.pk}").json()["results"]
    assert [(event["code"], event["incident"], event["source"]) for event in events] == [
        ("E042", incident.pk, "signal")
    ]
