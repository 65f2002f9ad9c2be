"""Authentication on a shared tablet: lockouts per person and address, signatures count,
idle sessions end, nothing usable stays in the browser, API tokens expire and are revoked."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _three_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _login(username, password, address):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def _locked(response):
    return response.status_code == 429 or b"Too many failed" in response.content


def test_a_lockout_is_per_person_and_address_together(technician, supervisor):
    for _ in range(3):
        _login("tech", "wrong", "10.0.0.5")
    _, response = _login("tech", PASSWORD, "10.0.0.5")
    assert _locked(response)
    # The same proxy address, another person: not locked out.
    _, response = _login("supervisor", PASSWORD, "10.0.0.5")
    assert response.status_code == 302
    # The same person at another tablet: not locked out.
    _, response = _login("tech", PASSWORD, "10.0.0.6")
    assert response.status_code == 302


def test_wrong_signature_passwords_count_toward_the_lockout(supervisor, shift, technician):
    from logbook.shifts import services

    services.shift_hand_over(shift=shift, user=technician, summary="All good")
    client, response = _login("supervisor", PASSWORD, "10.0.0.7")
    assert response.status_code == 302
    for _ in range(3):
        wrong = client.post(
            f"/shifts/{shift.pk}/sign-off/",
            {"meaning": "reviewed", "password": "guess", "reason": "Audit"},
        )
        assert wrong.status_code == 400
    # Even the right password no longer signs, and the log-in page refuses too.
    right = client.post(
        f"/shifts/{shift.pk}/sign-off/",
        {"meaning": "reviewed", "password": PASSWORD, "reason": "Audit"},
    )
    assert right.status_code == 400 and b"locked" in right.content
    shift.refresh_from_db()
    assert not shift.is_signed
    _, response = _login("supervisor", PASSWORD, "10.0.0.7")
    assert _locked(response)


def test_a_session_ends_after_the_idle_time(settings, technician):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client, _ = _login("tech", PASSWORD, "10.0.0.8")
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5))
        assert client.get("/").status_code == 200  # in use: the session lives on
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_signed_in_pages_are_never_stored_by_the_browser(as_user, technician):
    response = as_user(technician).get("/")
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in Client().get("/accounts/login/").get("Cache-Control", "no-store")


def test_an_api_token_expires(settings, api, technician):
    client = api(technician)
    assert client.get("/api/sites/").status_code == 200
    token = Token.objects.get(user=technician)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(days=settings.API_TOKEN_DAYS + 1)
    )
    response = client.get("/api/sites/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_new_password_revokes_the_api_tokens(api, technician):
    client = api(technician)
    assert client.get("/api/sites/").status_code == 200
    technician.set_password("a-new-long-password-2026")
    technician.save()
    assert client.get("/api/sites/").status_code == 401
    assert not Token.objects.filter(user=technician).exists()


def test_the_api_schema_and_docs_need_a_login(client, as_user, technician):
    assert client.get("/api/schema/").status_code in (401, 403)
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    assert as_user(technician).get("/api/schema/").status_code == 200
