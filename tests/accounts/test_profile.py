"""The profile page: a person's home line, the digest, and their own password."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from logbook.accounts import services
from tests.factories import PASSWORD, LineFactory

NEW = "chain-oil-on-line-4"


def _password(client, old=PASSWORD, new=NEW, again=None):
    return client.post(
        "/accounts/profile/",
        {
            "change_password": "1",
            "password-old_password": old,
            "password-new_password1": new,
            "password-new_password2": new if again is None else again,
        },
    )


def test_a_technician_sets_the_home_line_that_my_shift_opens(as_user, technician, line, site):
    other = LineFactory(area=line.area, code="L2", name="L2 can line")
    client = as_user(technician)
    page = client.get("/accounts/profile/").content.decode()
    assert "L2 – L2 can line" in page and "Technician" in page and site.name in page
    response = client.post("/accounts/profile/", {"prefs-home_line": other.pk})
    assert response.status_code == 302
    technician.refresh_from_db()
    assert technician.home_line == other
    assert client.get("/shifts/my/").context["line"] == other


def test_another_sites_line_is_refused_and_nothing_changes(as_user, technician, line, other_line):
    technician.home_line = line
    technician.save()
    client = as_user(technician)
    response = client.post("/accounts/profile/", {"prefs-home_line": other_line.pk})
    assert response.status_code == 400
    technician.refresh_from_db()
    assert technician.home_line == line
    with pytest.raises(ValidationError):
        services.preferences_update(user=technician, home_line=other_line)


def test_choosing_the_line_on_my_shift_sets_the_same_setting(as_user, technician, line):
    as_user(technician).post("/shifts/my/", {"line": line.pk})
    technician.refresh_from_db()
    assert technician.home_line == line


def test_changing_ones_password_keeps_the_session_and_revokes_the_tokens(
    as_user, client, technician
):
    token = Token.objects.create(user=technician)
    as_user(technician)
    response = _password(client)
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200  # still logged in
    technician.refresh_from_db()
    assert technician.check_password(NEW)
    assert not Token.objects.filter(pk=token.pk).exists()
    client.logout()
    login = {"username": technician.username, "password": NEW}
    assert client.post("/accounts/login/", login).status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("wrong", NEW, None, "Your present password is not correct: nothing was changed."),
        (PASSWORD, NEW, "chain-oil-on-line-5", "The two new passwords differ."),
        (PASSWORD, "short", None, "This password is too short."),
        (PASSWORD, "password123", None, "This password is too common."),
    ],
    ids=["wrong-present", "differ", "short", "common"],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    as_user, client, technician, old, new, again, message
):
    as_user(technician)
    response = _password(client, old, new, again)
    assert response.status_code == 400
    assert message in response.content.decode()
    technician.refresh_from_db()
    assert technician.check_password(PASSWORD)


def test_wrong_present_passwords_count_as_failed_logins(settings, as_user, client, technician):
    settings.AXES_FAILURE_LIMIT = 3
    as_user(technician)
    for _attempt in range(3):
        assert _password(client, old="guess").status_code == 400
    response = _password(client)  # the right one, now too late
    assert "Too many wrong passwords" in response.content.decode()
    technician.refresh_from_db()
    assert technician.check_password(PASSWORD)
