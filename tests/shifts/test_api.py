import pytest

from logbook.shifts import services
from logbook.shifts.models import LogEntry, OpenItem, ProductionRecord, Shift, ShiftPattern
from tests.factories import PASSWORD, signed_in
from tests.queries import queries
from tests.timeline import at

ENDPOINTS = [
    "/api/shift-patterns/",
    "/api/shifts/",
    "/api/log-entries/",
    "/api/production-records/",
    "/api/open-items/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_calls_are_refused(api, db, url):
    assert api().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_endpoints_are_in_the_schema(client, db, url):
    assert url in signed_in(client).get("/api/schema/?format=json").json()["paths"]


def test_patterns_read_and_write_hh_mm(api, planner, site):
    response = api(planner).post(
        "/api/shift-patterns/",
        {"site": site.pk, "name": "Night", "start_time": "22:00", "end_time": "06:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["start_time"] == "22:00"
    assert ShiftPattern.objects.get().end_time.hour == 6


def test_starting_a_shift_computes_its_window(api, technician, frozen, line, patterns):
    response = api(technician).post(
        "/api/shifts/",
        {"line": line.pk, "pattern": patterns["Early"].pk, "date": "2026-06-15"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["starts_at"] == "2026-06-15T04:00:00Z"  # 06:00 in Berlin; the API speaks UTC
    assert body["duration_minutes"] == 480
    assert body["status"] == "open"
    assert body["lead"] == technician.pk


def test_an_entry_is_authored_by_the_caller(api, technician, supervisor, shift):
    response = api(technician).post(
        "/api/log-entries/",
        {"shift": shift.pk, "category": "safety", "text": "Guard checked", "author": supervisor.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert LogEntry.objects.get().author == technician


def test_an_entry_outside_the_shift_is_a_400(api, technician, shift):
    response = api(technician).post(
        "/api/log-entries/",
        {
            "shift": shift.pk,
            "category": "note",
            "text": "x",
            "occurred_at": "2026-06-15T02:00:00+02:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "outside the shift" in response.json()["occurred_at"][0]


def test_counts_good_above_produced_is_a_400(api, technician, shift):
    response = api(technician).post(
        "/api/production-records/",
        {
            "shift": shift.pk,
            "product": "Cola",
            "produced_count": 10,
            "good_count": 11,
            "ideal_cycle_time_s": "0.5",
            "planned_stop_minutes": 0,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "good_count" in response.json()
    assert not ProductionRecord.objects.exists()


def test_handover_acknowledge_and_sign_off_actions(api, technician, supervisor, shift, frozen):
    response = api(technician).post(
        f"/api/shifts/{shift.pk}/handover/",
        {"summary": "Capper noisy", "open_items": ["Order belt"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "handed_over"
    assert OpenItem.objects.get().text == "Order belt"
    response = api(supervisor).post(f"/api/shifts/{shift.pk}/acknowledge/")
    assert response.json()["handover"]["acknowledged_by"] == supervisor.pk
    frozen.move_to(at(14, 5))  # the shift has ended
    refused = api(technician).post(
        f"/api/shifts/{shift.pk}/sign-off/",
        {"password": PASSWORD, "meaning": "reviewed"},
        format="json",
    )
    assert refused.status_code == 403
    wrong = api(supervisor).post(
        f"/api/shifts/{shift.pk}/sign-off/",
        {"password": "nope", "meaning": "reviewed"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "password" in wrong.json()
    response = api(supervisor).post(
        f"/api/shifts/{shift.pk}/sign-off/",
        {"password": PASSWORD, "meaning": "approved"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed"
    assert body["signature"]["signer_name"] == "Dana Kowalski"
    assert body["signature"]["meaning"] == "approved"


def test_signed_records_answer_409_with_the_reason(api, supervisor, technician, signed_shift):
    entry = signed_shift.entries.get()
    record = signed_shift.production.get()
    client = api(supervisor)
    for response in (
        client.patch(f"/api/log-entries/{entry.pk}/", {"text": "x"}, format="json"),
        client.delete(f"/api/log-entries/{entry.pk}/"),
        client.patch(f"/api/production-records/{record.pk}/", {"good_count": 1}, format="json"),
        client.delete(f"/api/production-records/{record.pk}/"),
        client.patch(f"/api/shifts/{signed_shift.pk}/", {"lead": supervisor.pk}, format="json"),
        api(technician).post(
            "/api/log-entries/",
            {"shift": signed_shift.pk, "category": "note", "text": "late"},
            format="json",
        ),
    ):
        assert response.status_code == 409, response.content
        assert "signed off" in response.json()["detail"]
    assert LogEntry.objects.get().text == "Filler jam cleared"


def test_an_amendment_through_the_api_is_accepted_after_sign_off(api, supervisor, signed_shift):
    original = signed_shift.entries.get()
    response = api(supervisor).post(
        "/api/log-entries/",
        {
            "shift": signed_shift.pk,
            "category": "production",
            "text": "Jam at valve 12",
            "amends": original.pk,
            "amend_reason": "Valve missing",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert LogEntry.objects.count() == 2
    assert LogEntry.objects.get(pk=original.pk).text == "Filler jam cleared"


def test_an_entry_can_be_deleted_before_sign_off_by_its_author_only(
    api, technician, supervisor, quality, shift
):
    entry = services.log_entry_add(shift=shift, user=technician, text="typo", category="note")
    assert api(quality).delete(f"/api/log-entries/{entry.pk}/").status_code == 403
    assert api(technician).delete(f"/api/log-entries/{entry.pk}/").status_code == 204
    assert not LogEntry.objects.exists()


def test_another_sites_shift_is_a_404_and_cannot_be_written_to(api, outsider, shift):
    client = api(outsider)
    assert client.get(f"/api/shifts/{shift.pk}/").status_code == 404
    response = client.post(
        "/api/log-entries/", {"shift": shift.pk, "category": "note", "text": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "shift" in response.json()


def test_open_items_are_closed_through_the_api(api, technician, shift):
    services.shift_hand_over(shift=shift, user=technician, summary="ok", open_items=["Belt"])
    item = OpenItem.objects.get()
    response = api(technician).post(
        f"/api/open-items/{item.pk}/close/", {"note": "Ordered"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["closing_note"] == "Ordered"


def test_the_shift_list_endpoint_runs_a_constant_number_of_queries(
    api, supervisor, technician, frozen, line, patterns
):
    import datetime

    client = api(supervisor)

    def add(days_ago):
        shift = services.shift_start(
            line=line,
            pattern=patterns["Night"],
            user=technician,
            date=at(0).date() - datetime.timedelta(days=days_ago),
        )
        services.shift_hand_over(shift=shift, user=technician, summary="ok")
        return shift

    add(1)
    few = queries(client, "/api/shifts/")
    for days_ago in range(2, 30):
        add(days_ago)
    assert queries(client, "/api/shifts/") == few
    assert Shift.objects.count() == 29


def test_a_late_entry_through_the_api_is_accepted_after_sign_off(api, technician, signed_shift):
    """The API's late entry is the page's: a reason, no entry amended; without one, a 409."""
    body = {"shift": signed_shift.pk, "category": "maintenance", "text": "Nozzle 4 replaced"}
    client = api(technician)
    assert client.post("/api/log-entries/", body, format="json").status_code == 409
    late = {**body, "amend_reason": "Logged offline, sent after the sign-off"}
    response = client.post("/api/log-entries/", late, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amend_reason"] == "Logged offline, sent after the sign-off"
    assert signed_shift.entries.count() == 2
