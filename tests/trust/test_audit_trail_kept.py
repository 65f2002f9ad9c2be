"""The audit trail keeps who did what forever: authors are deactivated, history never changes."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from logbook.core.exceptions import RecordLocked
from logbook.equipment.models import Equipment
from tests.factories import UserFactory


@pytest.fixture
def edited(filler, technician):
    filler._history_user = technician
    filler.name = "Rotary filler 2"
    filler.save()
    return filler


def test_a_person_named_in_the_audit_trail_cannot_be_deleted(edited, technician, as_user, admin):
    # (each attempt in a savepoint: a refused delete rolls back what it began)
    with pytest.raises(ProtectedError), transaction.atomic():
        technician.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        type(technician).objects.filter(pk=technician.pk).delete()
    assert edited.history.filter(history_user=technician).exists()
    client = as_user(admin)
    assert client.get(f"/admin/accounts/user/{technician.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/accounts/user/{technician.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    technician.refresh_from_db()
    assert edited.history.latest().history_user == technician


def test_the_admin_deactivates_people_instead(edited, technician, as_user, admin):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=technician)
    response = as_user(admin).post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [technician.pk]},
    )
    assert response.status_code == 302
    technician.refresh_from_db()
    assert not technician.is_active
    assert not Token.objects.filter(user=technician).exists()
    assert edited.history.latest().history_user == technician


def test_an_account_that_never_wrote_anything_can_be_deleted(db, as_user, admin):
    typo = UserFactory(username="tecch")
    assert (
        as_user(admin).post(f"/admin/accounts/user/{typo.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not type(typo).objects.filter(pk=typo.pk).exists()


def test_history_rows_are_never_changed_nor_deleted(edited):
    row = edited.history.latest()
    row.name = "rewritten"
    with pytest.raises(RecordLocked), transaction.atomic():
        row.save()
    with pytest.raises(RecordLocked), transaction.atomic():
        row.delete()
    with pytest.raises(RecordLocked), transaction.atomic():
        Equipment.history.filter(id=edited.pk).delete()
    assert edited.history.count() == 2
    assert edited.history.latest().name == "Rotary filler 2"
