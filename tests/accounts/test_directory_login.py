"""Directory login against a real OpenLDAP server on loopback (tests/directory_server.py)."""

import ldap
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from simple_history.models import HistoricalRecords

from logbook.accounts import services
from logbook.accounts.directory import directory_settings
from logbook.accounts.models import SignatureMeaning, User
from logbook.core.roles import Role
from tests.directory_server import dn, environment, group_dn
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_technician_of_the_directory_logs_in_with_the_roles_and_site_of_their_groups(
    client, directory_login, site, other_site
):
    answer = log_in(client, "ltech", "floor-pass-1")

    assert answer.status_code == 302 and answer.url == "/"
    person = User.objects.get(username="ltech")
    assert (person.first_name, person.last_name, person.email) == (
        "Lena",
        "Techner",
        "ltech@plant.test",
    )
    assert person.role_names == {Role.TECHNICIAN}
    assert list(person.sites.all()) == [site]
    assert person.directory_dn == dn("ltech")
    assert not person.has_usable_password()  # no second, local way in
    assert not person.is_staff
    assert client.get("/shifts/").status_code == 200


def test_the_directory_refuses_a_wrong_password_a_disabled_person_and_one_in_no_role_group(
    client, directory_login
):
    assert log_in(client, "ltech", "wrong").status_code == 200
    assert log_in(client, "lgone", "gone-pass-3").status_code == 200
    assert log_in(client, "lnobody", "none-pass-4").status_code == 200
    assert log_in(client, "nobody-at-all", "x").status_code == 200
    assert client.get("/").status_code == 302  # still sent to the login page
    assert not User.objects.filter(username__in=["ltech", "lgone"]).exists()
    assert not User.objects.get(username="lnobody").groups.exists()


def test_roles_follow_the_directory_groups_at_each_login(client, directory_login):
    log_in(client, "lsuper", "sign-pass-2")
    assert User.objects.get(username="lsuper").role_names == {Role.SUPERVISOR}
    client.logout()
    admin = directory_login.admin()
    admin.modify_s(group_dn("supervisors"), [(ldap.MOD_DELETE, "member", [dn("lsuper").encode()])])
    admin.modify_s(group_dn("technicians"), [(ldap.MOD_ADD, "member", [dn("lsuper").encode()])])

    log_in(client, "lsuper", "sign-pass-2")

    assert User.objects.get(username="lsuper").role_names == {Role.TECHNICIAN}


def test_someone_removed_from_the_directory_can_no_longer_log_in_and_sync_deactivates_them(
    client, directory_login
):
    log_in(client, "ltech", "floor-pass-1")
    person = User.objects.get(username="ltech")
    token = Token.objects.create(user=person)
    client.logout()
    directory_login.admin().delete_s(dn("ltech"))

    assert log_in(client, "ltech", "floor-pass-1").status_code == 200
    assert client.get("/").status_code == 302

    call_command("sync_directory")

    person.refresh_from_db()
    assert not person.is_active
    assert not Token.objects.filter(pk=token.pk).exists()  # the API is closed to them too


def test_sync_keeps_the_others_and_deactivates_who_was_put_in_the_deny_group(
    client, directory_login
):
    for username, password in (("ltech", "floor-pass-1"), ("lsuper", "sign-pass-2")):
        log_in(client, username, password)
        client.logout()
    directory_login.admin().modify_s(
        group_dn("disabled"), [(ldap.MOD_ADD, "member", [dn("lsuper").encode()])]
    )

    call_command("sync_directory")

    assert User.objects.get(username="ltech").is_active
    assert not User.objects.get(username="lsuper").is_active


def test_local_accounts_log_in_while_the_directory_is_down_and_sync_changes_nobody(
    client, directory_login
):
    log_in(client, "ltech", "floor-pass-1")
    client.logout()
    UserFactory(username="localtech", roles=[Role.TECHNICIAN])
    directory_login.stop()

    answer = log_in(client, "ltech", "floor-pass-1")
    assert answer.status_code == 200
    assert "directory cannot be reached" in answer.content.decode()
    assert log_in(client, "localtech", PASSWORD).status_code == 302
    with pytest.raises(CommandError, match="cannot be reached"):
        call_command("sync_directory")
    assert User.objects.get(username="ltech").is_active


def test_a_local_account_is_not_taken_over_by_a_directory_entry_of_the_same_name(
    client, directory_login
):
    UserFactory(username="ltech", roles=[Role.OPERATOR])

    assert log_in(client, "ltech", "floor-pass-1").status_code == 200
    assert log_in(client, "ltech", PASSWORD).status_code == 302
    person = User.objects.get(username="ltech")
    assert person.role_names == {Role.OPERATOR} and not person.directory_dn


def test_a_local_password_given_to_a_directory_account_opens_nothing(client, directory_login):
    log_in(client, "ltech", "floor-pass-1")
    client.logout()
    person = User.objects.get(username="ltech")
    person.set_password("a-local-way-in-7")  # an administrator in the admin, say
    person.save()

    assert log_in(client, "ltech", "a-local-way-in-7").status_code == 200  # refused
    directory_login.admin().delete_s(dn("ltech"))
    assert log_in(client, "ltech", "a-local-way-in-7").status_code == 200  # still refused
    assert client.get("/").status_code == 302


def test_a_signature_checks_the_password_against_the_directory(client, directory_login):
    log_in(client, "lsuper", "sign-pass-2")
    supervisor = User.objects.get(username="lsuper")

    signature = services.signature_create(
        user=supervisor, password="sign-pass-2", meaning=SignatureMeaning.REVIEWED
    )
    assert signature.signer == supervisor
    with pytest.raises(ValidationError, match="not correct"):
        services.signature_create(
            user=supervisor, password="wrong", meaning=SignatureMeaning.REVIEWED
        )
    # The local password field, unusable, is never the way round a directory password.
    with pytest.raises(ValidationError, match="not correct"):
        services.signature_create(user=supervisor, password="", meaning=SignatureMeaning.REVIEWED)


def test_a_signature_says_when_the_directory_cannot_be_reached(client, directory_login):
    log_in(client, "lsuper", "sign-pass-2")
    supervisor = User.objects.get(username="lsuper")
    directory_login.stop()
    HistoricalRecords.context.request = RequestFactory().post("/")
    try:
        with pytest.raises(ValidationError, match="directory cannot be reached"):
            services.signature_create(
                user=supervisor, password="sign-pass-2", meaning=SignatureMeaning.REVIEWED
            )
    finally:
        del HistoricalRecords.context.request


def test_a_directory_account_changes_its_password_in_the_directory_not_here(
    client, directory_login
):
    log_in(client, "ltech", "floor-pass-1")

    page = client.get("/accounts/profile/").content.decode()
    assert "Change your password" not in page
    assert "your account in the plant's directory" in page
    with pytest.raises(ValidationError, match="kept by the plant"):
        services.password_change(
            user=User.objects.get(username="ltech"),
            old_password="floor-pass-1",
            new_password="a-new-long-pass-9",
        )


def test_a_directory_account_deactivated_here_is_refused_and_logged_out(client, directory_login):
    log_in(client, "ltech", "floor-pass-1")
    assert client.get("/").status_code == 200
    User.objects.filter(username="ltech").update(is_active=False)

    assert client.get("/").status_code == 302  # the open session ends
    assert log_in(client, "ltech", "floor-pass-1").status_code == 200


@pytest.mark.parametrize(
    "change, message",
    [
        ({"LDAP_USER_SEARCH_BASE": ""}, "LDAP_USER_SEARCH_BASE is required"),
        ({"LDAP_ROLE_GROUPS": "boss=cn=x"}, "unknown ones \\(boss\\)"),
        ({"LDAP_ROLE_GROUPS": ""}, "names no role"),
        ({"LDAP_SITE_GROUPS": "PLT"}, "LDAP_SITE_GROUPS: 'PLT' is not"),
        ({"LDAP_GROUP_TYPE": "nis"}, "LDAP_GROUP_TYPE='nis'"),
        ({"LDAP_TIMEOUT": "soon"}, "LDAP_TIMEOUT"),
    ],
)
def test_a_malformed_directory_setting_stops_the_start_up_naming_it(
    ldap_directory, change, message
):
    with pytest.raises(ImproperlyConfigured, match=message):
        directory_settings({**environment(ldap_directory.uri), **change})


def test_no_directory_settings_leave_directory_login_off():
    assert directory_settings({}) == {}
