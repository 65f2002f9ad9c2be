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


def test_every_audit_page_keeps_to_its_records_site(db, client):
    """Walk every audited model of the demo plant: a supervisor of another site gets 404 for each
    record (its own site's catalogues aside), the plant's own supervisor reads each."""
    from django.apps import apps

    from logbook.accounts.models import User
    from logbook.core.roles import Role
    from tests.demo_plant import demo_with_every_locked_kind
    from tests.factories import SiteFactory, UserFactory

    demo_with_every_locked_kind()
    outsider = UserFactory(
        username="elsewhere", roles=[Role.SUPERVISOR], member_of=[SiteFactory(code="ELS")]
    )
    own = User.objects.get(username="supervisor")
    walked = []
    for model in apps.get_models():
        if not model.__module__.startswith("logbook.") or not hasattr(model, "history"):
            continue
        if getattr(model, "shared_by_sites", False) or model._meta.label == "equipment.Site":
            continue
        obj = model._base_manager.order_by("pk").first()
        if obj is None:
            continue
        url = f"/audit/{model._meta.label_lower}/{obj.pk}/"
        client.force_login(outsider)
        assert client.get(url).status_code == 404, url
        client.force_login(own)
        assert client.get(url).status_code == 200, url
        walked.append(model._meta.label)
    for label in (
        "maintenance.ChecklistItem",
        "maintenance.ChecklistResult",
        "maintenance.PartUsage",
        "maintenance.WorkOrderAmendment",
        "quality.NonconformanceAmendment",
        "quality.Characteristic",
        "quality.Measurement",
        "shifts.LogEntry",
    ):
        assert label in walked
    client.force_login(own)
    assert client.get("/audit/shifts.logentry/999999/").status_code == 404


def test_a_creation_row_shows_what_the_record_was_made_with(as_user, supervisor, technician, shift):
    """ "Created / created": the first row of a record said nothing of its values."""
    services.log_entry_add(
        shift=shift,
        user=technician,
        text="Greased chain",
        category="maintenance",
        occurred_at=at(7),
    )
    response = as_user(supervisor).get(f"/audit/shifts.shift/{shift.pk}/")
    created = [row for row in response.context["rows"] if row["record"].startswith("Log entry")]
    assert len(created) == 1 and created[0]["created"]
    values = {str(field): new for field, old, new in created[0]["changes"]}
    assert values["text"] == "Greased chain"
    assert values["author"] == str(technician)
    assert "<strong>text</strong>: <ins>Greased chain</ins>" in response.content.decode()
