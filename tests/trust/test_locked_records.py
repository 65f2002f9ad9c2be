"""Signed, verified and closed records change on no path.

One walk over every model with a locked state (``is_locked``) in the demo plant, through every
write path the product has: the admin's change form, its history page's "revert", its delete
page and its bulk delete action, the API's PUT, PATCH and DELETE, the pages' edit forms, and the
services. After each attempt the record (and its row count) is exactly what it was.
"""

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.urls import reverse

from config.urls import router
from logbook.accounts.models import User
from logbook.core.exceptions import RecordLocked
from logbook.core.views import model_url
from tests.demo_plant import demo_with_every_locked_kind
from tests.html_forms import FormReader

# Each model with a locked state, and how to find a locked one of it.
LOCKED = {
    "shifts.Shift": {"signature__isnull": False},
    "shifts.LogEntry": {"shift__signature__isnull": False},
    "shifts.ProductionRecord": {"shift__signature__isnull": False},
    "shifts.Handover": {"shift__signature__isnull": False},
    "downtime.DowntimeIncident": {"closed_at__isnull": False},
    "maintenance.WorkOrder": {"status": "verified"},
    "maintenance.ChecklistResult": {"work_order__status": "verified"},
    "maintenance.PartUsage": {"work_order__status": "verified"},
    "maintenance.WorkOrderAmendment": {},
    "quality.Inspection": {},  # recorded once, never edited
    "quality.Measurement": {},
    "quality.Nonconformance": {"status": "closed"},
    "quality.NonconformanceAmendment": {},
    "accounts.Signature": {},
}


def _tampered_form(html):
    """The largest posted form of ``html``, with every free text replaced; None without one."""
    reader = FormReader()
    reader.feed(html)
    forms = [form for form in reader.forms if len(form["data"]) > 1]
    if not forms:
        return None
    data = max(forms, key=lambda form: len(form["data"]))["data"]
    for key, value in list(data.items()):
        if key != "csrfmiddlewaretoken" and isinstance(value, str) and not value.isdigit():
            if value and not any(ch in value for ch in "-:") and len(value) > 3:
                data[key] = "tampered"
    return data


def _snapshot(obj):
    model = type(obj)
    row = model._base_manager.filter(pk=obj.pk).values().first()
    return row, model._base_manager.count()


def _api_prefix(model):
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is not None and queryset.model is model:
            return prefix
    return None


def _service_attempts(obj):
    """The services that change a record of ``obj``'s kind, called on it: each must refuse."""
    from logbook.downtime import services as downtime
    from logbook.maintenance import services as maintenance
    from logbook.quality import services as quality
    from logbook.shifts import services as shifts

    # The administrator may do everything a role may: only the lock can refuse.
    supervisor = User.objects.get(username="admin")
    label = obj._meta.label
    attempts = {
        "shifts.Shift": [lambda: shifts.shift_update(shift=obj, user=supervisor, lead=supervisor)],
        "shifts.LogEntry": [
            lambda: shifts.log_entry_update(
                entry=obj,
                user=supervisor,
                text="tampered",
                category=obj.category,
                occurred_at=obj.occurred_at,
                equipment=obj.equipment,
            ),
            lambda: shifts.log_entry_delete(entry=obj, user=supervisor),
        ],
        "shifts.ProductionRecord": [
            lambda: shifts.production_record_update(
                record=obj,
                user=supervisor,
                product="tampered",
                produced_count=obj.produced_count,
                good_count=obj.good_count,
                ideal_cycle_time_s=obj.ideal_cycle_time_s,
                planned_stop_minutes=obj.planned_stop_minutes,
            ),
            lambda: shifts.production_record_delete(record=obj, user=supervisor),
        ],
        "downtime.DowntimeIncident": [
            lambda: downtime.incident_update(incident=obj, user=supervisor, symptom="tampered")
        ],
        "maintenance.WorkOrder": [
            lambda: maintenance.work_order_start(work_order=obj, user=supervisor),
            lambda: maintenance.work_order_cancel(
                work_order=obj, user=supervisor, reason="tampered"
            ),
        ],
        "quality.Nonconformance": [
            lambda: quality.nonconformance_disposition(
                nc=obj, user=supervisor, disposition="scrap", containment="tampered"
            ),
        ],
    }
    return attempts.get(label, [])


def test_no_path_changes_a_signed_verified_or_closed_record(db, client):
    demo_with_every_locked_kind()
    admin_user = User.objects.get(username="admin")
    client.force_login(admin_user)
    refusals = []

    for label, lookup in LOCKED.items():
        model = apps.get_model(label)
        obj = model._base_manager.filter(**lookup).order_by("pk").first()
        assert obj is not None, f"the demo plant has no locked {label}"
        before = _snapshot(obj)
        opts = model._meta
        attempts = []

        if django_admin.site.is_registered(model):
            base = f"/admin/{opts.app_label}/{opts.model_name}/"
            change = f"{base}{obj.pk}/change/"
            page = client.get(change)
            data = _tampered_form(page.content.decode()) if page.status_code == 200 else None
            attempts.append(("admin change", "post", change, data or {"text": "tampered"}))
            attempts.append(("admin delete", "post", f"{base}{obj.pk}/delete/", {"post": "yes"}))
            attempts.append(
                (
                    "admin bulk delete",
                    "post",
                    base,
                    {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
                )
            )
            if hasattr(model, "history"):
                for version in model.history.filter(id=obj.pk):
                    url = f"{base}{obj.pk}/history/{version.history_id}/"
                    page = client.get(url)
                    data = _tampered_form(page.content.decode()) if page.status_code == 200 else {}
                    attempts.append(("admin revert", "post", url, data or {}))

        prefix = _api_prefix(model)
        if prefix:
            url = f"/api/{prefix}/{obj.pk}/"
            body = client.get(url).json()
            tampered = {
                key: "tampered" for key, value in body.items() if isinstance(value, str) and key
            }
            attempts.append(("api patch", "patch", url, tampered))
            attempts.append(("api put", "put", url, {**body, **tampered}))
            attempts.append(("api delete", "delete", url, None))

        edit = model_url(model, "edit", obj.pk)
        if edit:
            page = client.get(edit)
            data = _tampered_form(page.content.decode()) if page.status_code == 200 else None
            attempts.append(("page edit", "post", edit, data or {"text": "tampered"}))

        for path, method, url, data in attempts:
            kwargs = {"content_type": "application/json"} if method in ("patch", "put") else {}
            response = getattr(client, method)(url, data, **kwargs)
            if _snapshot(obj) != before:
                refusals.append(
                    f"{label} #{obj.pk} changed by {path} {url} ({response.status_code})"
                )
            elif response.status_code >= 500:
                refusals.append(f"{label} #{obj.pk}: {path} {url} answered {response.status_code}")

        for attempt in _service_attempts(obj):
            with pytest.raises(RecordLocked):
                attempt()
            assert _snapshot(obj) == before, f"{label} changed by a service"

    assert not refusals, "\n".join(refusals)
    assert reverse("admin:index")
