"""Unbounded input is refused with a clear 4xx and nothing saved; the API answers JSON."""

import json

import pytest

from logbook.core.fields import TEXT_MAX_LENGTH
from logbook.shifts.models import LogEntry


def test_a_text_beyond_the_limit_is_refused_on_the_page_and_in_the_api(
    as_user, api, technician, shift
):
    huge = "x" * (TEXT_MAX_LENGTH + 1)
    page = as_user(technician).post(
        f"/shifts/{shift.pk}/entries/add/", {"category": "note", "text": huge}
    )
    assert page.status_code == 400
    answer = api(technician).post(
        "/api/log-entries/", {"shift": shift.pk, "category": "note", "text": huge}, format="json"
    )
    assert answer.status_code == 400
    assert "text" in answer.json()
    assert not LogEntry.objects.exists()
    ok = api(technician).post(
        "/api/log-entries/",
        {"shift": shift.pk, "category": "note", "text": "x" * TEXT_MAX_LENGTH},
        format="json",
    )
    assert ok.status_code == 201


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_dates_outside_a_plants_life_are_refused(api, technician, filler, frozen, moment):
    answer = api(technician).post(
        "/api/downtime/", {"equipment": filler.pk, "started_at": moment}, format="json"
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"


def test_api_errors_are_json(api, technician, db):
    client = api(technician)
    client.raise_request_exception = False
    for url in ("/api/sites/?page=0", "/api/sites/?page=x", "/api/sites/999999/", "/api/nothing/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert "detail" in response.json(), url
    broken = client.post("/api/sites/", "{not json", content_type="application/json")
    assert broken.status_code in (400, 403)
    assert broken["Content-Type"] == "application/json"


def test_a_body_beyond_the_upload_limit_is_a_clean_400_and_nothing_saved(
    api, technician, shift, settings
):
    client = api(technician)
    client.raise_request_exception = False
    body = json.dumps(
        {
            "shift": shift.pk,
            "category": "note",
            "text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        }
    )
    answer = client.generic("POST", "/api/log-entries/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert not LogEntry.objects.exists()


def test_the_admin_revert_of_an_unknown_or_malformed_id_is_refused(as_user, admin, db):
    client = as_user(admin)
    client.raise_request_exception = False
    for object_id in ("999999", "x%00y"):
        url = f"/admin/shifts/logentry/{object_id}/history/1/"
        assert client.post(url, {"text": "tampered"}).status_code in (403, 404)
