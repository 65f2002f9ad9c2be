from logbook.shifts import services
from tests.timeline import at


def test_a_supervisor_reads_who_changed_what_from_which_value(
    as_user, supervisor, technician, shift
):
    entry = services.log_entry_add(
        shift=shift,
        user=technician,
        text="Greased chain",
        category="maintenance",
        occurred_at=at(7),
    )
    services.log_entry_update(entry=entry, user=supervisor, text="Greased drive chain")
    html = as_user(supervisor).get(f"/audit/shifts.shift/{shift.pk}/").content.decode()
    assert "Log entry #" in html
    assert "Greased chain" in html and "Greased drive chain" in html


def test_the_register_has_an_audit_trail_too(as_user, supervisor, filler):
    filler.status = "idle"
    filler.save()
    html = as_user(supervisor).get(f"/audit/equipment.equipment/{filler.pk}/").content.decode()
    assert "Running" in html and "Idle" in html


def test_technicians_cannot_read_the_audit_trail(as_user, technician, filler):
    assert as_user(technician).get(f"/audit/equipment.equipment/{filler.pk}/").status_code == 403


def test_another_sites_record_is_a_404(as_user, outsider, filler):
    assert as_user(outsider).get(f"/audit/equipment.equipment/{filler.pk}/").status_code == 404


def test_an_unknown_model_is_a_404(as_user, supervisor, db):
    assert as_user(supervisor).get("/audit/nothing.here/1/").status_code == 404
    assert as_user(supervisor).get("/audit/accounts.signature/1/").status_code == 404
