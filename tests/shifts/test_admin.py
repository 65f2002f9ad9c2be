"""Signed shifts in the admin: visible, never changed nor deleted."""

from logbook.shifts import services
from logbook.shifts.models import LogEntry, ProductionRecord
from tests.timeline import at


def _entry_form(entry, **changes):
    data = {
        "shift": entry.shift_id,
        "author": entry.author_id,
        "occurred_at_0": "2026-06-15",
        "occurred_at_1": "05:30:00",
        "category": entry.category,
        "text": entry.text,
        "amend_reason": "",
    }
    data.update(changes)
    return data


def test_a_signed_shifts_entry_cannot_be_changed_in_the_admin(as_user, admin, signed_shift):
    entry = signed_shift.entries.get()
    client = as_user(admin)
    page = client.get(f"/admin/shifts/logentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert "Save" not in page.content.decode().split("submit-row")[-1][:500]
    response = client.post(
        f"/admin/shifts/logentry/{entry.pk}/change/", _entry_form(entry, text="rewritten")
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Filler jam cleared"


def test_a_signed_shifts_records_cannot_be_deleted_in_the_admin(as_user, admin, signed_shift):
    entry = signed_shift.entries.get()
    record = signed_shift.production.get()
    client = as_user(admin)
    assert (
        client.post(f"/admin/shifts/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/shifts/productionrecord/{record.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    response = client.post(
        "/admin/shifts/logentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert ProductionRecord.objects.filter(pk=record.pk).exists()
    assert response.status_code in (200, 302, 403)


def test_the_admin_edits_an_unsigned_entry_through_the_service(
    as_user, admin, technician, shift, frozen
):
    entry = services.log_entry_add(
        shift=shift, user=technician, text="typo", category="note", occurred_at=at(7)
    )
    data = _entry_form(entry, text="fixed")
    data["occurred_at_0"], data["occurred_at_1"] = "2026-06-15", "05:00:00"  # 07:00 Berlin in UTC
    response = as_user(admin).post(f"/admin/shifts/logentry/{entry.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry.refresh_from_db()
    assert entry.text == "fixed"


def test_the_admin_refuses_an_entry_outside_its_shift(as_user, admin, technician, shift, frozen):
    entry = services.log_entry_add(
        shift=shift, user=technician, text="x", category="note", occurred_at=at(7)
    )
    response = as_user(admin).post(
        f"/admin/shifts/logentry/{entry.pk}/change/", _entry_form(entry, occurred_at_1="01:00:00")
    )
    assert response.status_code == 200
    assert "outside the shift" in response.content.decode()


def test_every_shift_model_has_an_admin_page(as_user, admin, signed_shift):
    client = as_user(admin)
    for model in ("shiftpattern", "shift", "logentry", "productionrecord", "handover", "openitem"):
        assert client.get(f"/admin/shifts/{model}/").status_code == 200, model
    assert client.get("/admin/accounts/signature/").status_code == 200
    assert client.get(f"/admin/shifts/shift/{signed_shift.pk}/change/").status_code == 200
