"""What a user may do (roles and permissions) is read in one query per request, and says the
same as Django's own permission backend on every kind of account."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from logbook.accounts.models import User
from logbook.core.roles import Role
from tests.factories import UserFactory


def _fresh(user):
    """The user as a request loads it: nothing of its roles or permissions read yet."""
    return User.objects.get(pk=user.pk)


def _own_permission(user, app_label, codename):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


def test_roles_and_permissions_come_in_one_query(technician, django_assert_num_queries):
    _own_permission(technician, "shifts", "add_shiftpattern")
    person = _fresh(technician)
    with django_assert_num_queries(1):
        assert person.role_names == {Role.TECHNICIAN}
        assert person.has_perm("shifts.add_logentry")  # from the role
        assert person.has_perm("shifts.add_shiftpattern")  # the person's own
        assert not person.has_perm("shifts.sign_shift")  # a supervisor's
        assert person.primary_role == Role.TECHNICIAN


@pytest.fixture
def accounts(site, technician, supervisor, quality, planner, operator, admin):
    two_roles = UserFactory(
        username="two-roles", roles=[Role.TECHNICIAN, Role.PLANNER], member_of=[site]
    )
    own_only = UserFactory(username="own-only", roles=[], member_of=[site])
    _own_permission(own_only, "shifts", "add_shiftpattern")
    mixed = UserFactory(username="mixed", roles=[Role.QUALITY], member_of=[site])
    _own_permission(mixed, "maintenance", "view_workorder")
    no_permissions = Group.objects.create(name="visitors")
    visitor = UserFactory(username="visitor", roles=[], member_of=[site])
    visitor.groups.add(no_permissions)
    superuser = UserFactory(username="root", roles=[], is_superuser=True, is_staff=True)
    inactive = UserFactory(
        username="gone", roles=[Role.SUPERVISOR], member_of=[site], is_active=False
    )
    return [
        technician,
        supervisor,
        quality,
        planner,
        operator,
        admin,
        two_roles,
        own_only,
        mixed,
        visitor,
        superuser,
        inactive,
    ]


def test_the_same_answers_as_djangos_backend(accounts):
    django = ModelBackend()
    for account in accounts:
        ours, theirs = _fresh(account), _fresh(account)
        assert ours.get_all_permissions() == django.get_all_permissions(theirs), account
        assert ours.role_names == set(account.groups.values_list("name", flat=True)), account
        for permission in (
            "shifts.sign_shift",
            "maintenance.view_workorder",
            "shifts.add_shiftpattern",
        ):
            assert ours.has_perm(permission) == django.has_perm(theirs, permission), (
                account,
                permission,
            )
    named = User.objects.get
    assert named(username="root").has_perm("shifts.sign_shift")
    assert not named(username="gone").has_perm("shifts.sign_shift")  # an inactive supervisor
    assert named(username="visitor").role_names == {"visitors"}  # a group that gives nothing


def test_a_changed_role_counts_once_forgotten(technician):
    person = _fresh(technician)
    assert not person.has_perm("shifts.sign_shift")
    person.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    person.forget_access()
    assert person.has_perm("shifts.sign_shift")
    assert Role.SUPERVISOR in person.role_names
