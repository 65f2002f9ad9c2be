"""A write sent again under its Idempotency-Key is applied once (core.idempotency): the tablet's
offline queue may send the same write any number of times."""

import datetime

import pytest

from logbook.core.models import IdempotencyKey
from logbook.downtime.models import DowntimeIncident
from logbook.shifts.models import LogEntry
from tests.timeline import NOW, at

KEY = "d7c1f0e2-5b8a-4c59-9f0e-2a6b7c8d9e01"


def entry_body(shift, text="Guard checked"):
    return {"shift": shift.pk, "category": "safety", "text": text}


def post_entry(client, shift, key=KEY, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/log-entries/", entry_body(shift), format="json", **headers)


def test_the_same_write_with_the_same_key_twice_is_one_record_and_the_same_answer(
    api, technician, shift
):
    client = api(technician)
    first = post_entry(client, shift)
    again = post_entry(client, shift)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert LogEntry.objects.count() == 1


def test_replays_are_counted_for_the_metrics(api, technician, shift):
    from prometheus_client import REGISTRY

    def replays():
        return REGISTRY.get_sample_value("logbook_offline_queue_replays_total") or 0

    before = replays()
    client = api(technician)
    post_entry(client, shift)
    post_entry(client, shift)
    post_entry(client, shift)
    assert replays() == before + 2


def test_the_same_write_with_another_key_is_another_record(api, technician, shift):
    client = api(technician)
    assert post_entry(client, shift, key=KEY).status_code == 201
    assert post_entry(client, shift, key=KEY + "-2").status_code == 201
    assert LogEntry.objects.count() == 2


def test_a_write_without_a_key_is_applied_each_time(api, technician, shift):
    client = api(technician)
    post_entry(client, shift, key=None)
    post_entry(client, shift, key=None)
    assert LogEntry.objects.count() == 2


def test_a_key_reused_for_a_different_write_is_refused(api, technician, shift):
    client = api(technician)
    post_entry(client, shift)
    other = client.post(
        "/api/log-entries/",
        entry_body(shift, text="Something else"),
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert LogEntry.objects.count() == 1


def test_a_key_belongs_to_the_person_who_sent_it(api, technician, supervisor, shift):
    """Another person's identical key is another write, never the first person's answer."""
    post_entry(api(technician), shift)
    theirs = post_entry(api(supervisor), shift)
    assert theirs.status_code == 201
    assert not theirs.has_header("Idempotent-Replayed")
    assert sorted(LogEntry.objects.values_list("author__username", flat=True)) == [
        "supervisor",
        "tech",
    ]


def test_a_refused_write_keeps_no_key_so_it_can_be_sent_again(api, technician, shift):
    client = api(technician)
    outside = client.post(
        "/api/log-entries/",
        {**entry_body(shift), "occurred_at": "2026-06-15T02:00:00+02:00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert outside.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post_entry(client, shift).status_code == 201
    assert LogEntry.objects.count() == 1


def test_a_write_refused_on_a_signed_shift_is_refused_again_not_replayed(
    api, technician, signed_shift
):
    client = api(technician)
    first = post_entry(client, signed_shift)
    again = post_entry(client, signed_shift)
    assert first.status_code == again.status_code == 409
    assert not again.has_header("Idempotent-Replayed")
    assert signed_shift.entries.count() == 1


def test_a_delete_sent_twice_answers_as_the_first_time(api, technician, shift):
    client = api(technician)
    entry_id = post_entry(client, shift, key=None).json()["id"]
    url = f"/api/log-entries/{entry_id}/"
    first = client.delete(url, HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.delete(url, HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    # Without its key, the repeat finds nothing to delete.
    assert client.delete(url).status_code == 404


def test_keys_expire_after_the_configured_time(api, technician, shift, frozen, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 2
    client = api(technician)
    post_entry(client, shift)
    frozen.shift(datetime.timedelta(hours=1))
    assert post_entry(client, shift)["Idempotent-Replayed"] == "true"
    frozen.shift(datetime.timedelta(hours=1, minutes=1))
    later = post_entry(client, shift)
    assert later.status_code == 201
    assert not later.has_header("Idempotent-Replayed")
    assert LogEntry.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1  # the expired one is gone


@pytest.mark.parametrize("key", ["short", "x" * 101, "has space in it", "semi;colon-key"])
def test_a_malformed_key_is_a_400_and_nothing_is_saved(api, technician, shift, key):
    response = post_entry(api(technician), shift, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not LogEntry.objects.exists()


def test_an_anonymous_write_with_a_key_is_refused_and_keeps_nothing(api, shift):
    assert post_entry(api(), shift).status_code in (401, 403)
    assert not IdempotencyKey.objects.exists()


def test_a_page_form_sent_twice_under_its_key_adds_one_entry(client, technician, shift):
    client.force_login(technician)
    url = f"/shifts/{shift.pk}/entries/add/"
    form = {"category": "note", "text": "Nozzle 4 dripping", "idempotency_key": KEY}
    first = client.post(url, form)
    again = client.post(url, {**form, "csrfmiddlewaretoken": "another-token-after-login"})
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert LogEntry.objects.count() == 1


def test_a_page_form_shown_again_with_errors_keeps_no_key(client, technician, shift):
    """The form is shown again with its errors: nothing was applied, so the corrected form may be
    sent under the same key."""
    client.force_login(technician)
    url = f"/shifts/{shift.pk}/entries/add/"
    form = {"category": "note", "text": "", "idempotency_key": KEY}
    assert client.post(url, form).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert client.post(url, {**form, "text": "Nozzle 4 dripping"}).status_code == 302
    assert LogEntry.objects.get().text == "Nozzle 4 dripping"


def test_an_entry_from_the_offline_queue_keeps_when_it_was_made_on_the_device(
    api, client, technician, shift
):
    """Recorded-At is read on the device's clock; the clock's offset, measured from Device-Time
    at sync, is taken off it."""
    device_ahead = datetime.timedelta(minutes=3)
    response = post_entry(
        api(technician),
        shift,
        HTTP_DEVICE_TIME=(NOW + device_ahead).isoformat(),
        HTTP_RECORDED_AT=(at(8, 40) + device_ahead).isoformat(),
    )
    assert response.status_code == 201, response.json()
    entry = LogEntry.objects.get()
    assert entry.recorded_offline_at == at(8, 40)
    assert entry.occurred_at == at(8, 40)
    assert entry.created_at == NOW
    assert response.json()["recorded_offline_at"] is not None

    client.force_login(technician)
    page = client.get(shift.get_absolute_url()).content.decode()
    assert "Logged offline · received 10:00" in page


def test_an_entry_sent_online_is_not_marked_offline(api, client, technician, shift):
    post_entry(api(technician), shift)
    assert LogEntry.objects.get().recorded_offline_at is None
    client.force_login(technician)
    assert "Logged offline" not in client.get(shift.get_absolute_url()).content.decode()


@pytest.mark.parametrize("minutes", [-11, 11])
def test_a_device_whose_clock_is_off_is_refused_and_nothing_is_saved(
    api, technician, shift, minutes
):
    response = post_entry(
        api(technician),
        shift,
        HTTP_DEVICE_TIME=(NOW + datetime.timedelta(minutes=minutes)).isoformat(),
    )
    assert response.status_code == 400
    assert "clock is 11 minutes off" in response.json()["detail"]
    assert not LogEntry.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_DEVICE_TIME": "yesterday"},
        {"HTTP_DEVICE_TIME": "2026-06-15T10:00:00"},  # no offset: which zone?
        {"HTTP_DEVICE_TIME": NOW.isoformat(), "HTTP_RECORDED_AT": "soon"},
        {
            "HTTP_DEVICE_TIME": NOW.isoformat(),
            "HTTP_RECORDED_AT": (NOW + datetime.timedelta(minutes=1)).isoformat(),
        },
    ],
)
def test_unreadable_device_times_are_a_400(api, technician, shift, headers):
    response = post_entry(api(technician), shift, **headers)
    assert response.status_code == 400
    assert not LogEntry.objects.exists()


def test_a_stop_and_its_stages_from_the_offline_queue_keep_their_times_and_apply_once(
    client, technician, filler, frozen
):
    """What the tablet sends for "Machine down" tapped offline at 9:40 and "Running again" at
    9:52: the stop's key answers with the stop's address again (the queue sends the stage
    there), and each is dated when it was tapped, not when it arrived."""
    client.force_login(technician)
    synced = {"HTTP_DEVICE_TIME": NOW.isoformat()}
    report = {"equipment": "L1-FIL-01", "symptom": "No fill", "idempotency_key": KEY}
    first = client.post("/downtime/new/", report, HTTP_RECORDED_AT=at(9, 40).isoformat(), **synced)
    again = client.post("/downtime/new/", report, HTTP_RECORDED_AT=at(9, 40).isoformat(), **synced)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    stage = {"idempotency_key": KEY[::-1]}
    for _ in range(2):
        answer = client.post(
            f"{first['Location']}ended/", stage, HTTP_RECORDED_AT=at(9, 52).isoformat(), **synced
        )
        assert answer.status_code == 302
    incident = DowntimeIncident.objects.get()
    assert (incident.started_at, incident.ended_at) == (at(9, 40), at(9, 52))
    assert incident.recorded_offline_at == at(9, 40)
    assert incident.created_at == NOW
    assert "Reported offline · received 10:00" in client.get(first["Location"]).content.decode()
