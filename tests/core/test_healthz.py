from unittest import mock

from django.db import OperationalError


def test_it_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_it_answers_503_when_the_database_does_not(client, db):
    with mock.patch(
        "logbook.core.views.connection.cursor", side_effect=OperationalError("server gone")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database" in response.content


def _writes_refused(execute, sql, params, many, context):
    if sql.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
        raise OperationalError("database is locked")
    return execute(sql, params, many, context)


def test_it_answers_503_when_the_database_reads_but_takes_no_writes(client, db):
    from django.db import connection

    with connection.execute_wrapper(_writes_refused):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database is locked" in response.content


def test_a_write_refused_by_a_busy_database_is_a_clean_503_page_and_json(
    as_user, api, technician, shift
):
    from django.db import connection

    from logbook.shifts.models import LogEntry

    page = as_user(technician)
    page.raise_request_exception = False
    client = api(technician)
    client.raise_request_exception = False
    with connection.execute_wrapper(_writes_refused):
        response = page.post(
            f"/shifts/{shift.pk}/entries/add/", {"category": "note", "text": "Busy?"}
        )
        answer = client.post(
            "/api/log-entries/",
            {"shift": shift.pk, "category": "note", "text": "Busy?"},
            format="json",
        )
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"Nothing you entered was saved" in response.content
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    assert "unavailable" in answer.json()["detail"]
    assert not LogEntry.objects.exists()
