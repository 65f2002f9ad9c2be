"""Every URL of the pages and the API × every persona → the expected answer.

The rows below say, for each URL name, which permission it needs and which record its id names.
From them and each persona's roles the test expects: anonymous → the login page (pages) or 401
(API); a person without the permission → 403; a person of another site → 404 for a record of
this site; everyone else → an answer that is neither a refusal nor a server error. And no GET,
by anyone, writes a record. A URL of the
URL conf without a row fails the test: every new page is a decision about who may see it.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from config.urls import router
from logbook.accounts.models import User
from logbook.core.roles import Role
from tests.demo_plant import demo_with_every_locked_kind
from tests.factories import SiteFactory, UserFactory

ANY = None  # any signed-in person
PUBLIC = "public"  # no login at all
GATEWAY = "gateway"  # a gateway's key only: no person's login opens it (tests/telemetry)

# url name: (permission, the model its <pk> names or None, the method it answers to)
PAGES = {
    "home": (ANY, None, "get"),
    "healthz": (PUBLIC, None, "get"),
    "readyz": (PUBLIC, None, "get"),
    "metrics": (GATEWAY, None, "get"),  # METRICS_TOKEN only: no person's login opens it
    "favicon": (PUBLIC, None, "get"),
    "web_app_manifest": (PUBLIC, None, "get"),
    "service_worker": (PUBLIC, None, "get"),
    "login": (PUBLIC, None, "get"),
    "logout": (PUBLIC, None, "post"),
    "set_language": (PUBLIC, None, "post"),
    "profile": (ANY, None, "get"),
    "shifts:fetch_ahead": (ANY, None, "get"),
    "equipment_log": ("shifts.add_logentry", "equipment.Equipment", "get"),
    "audit_trail": ("accounts.view_audit_trail", "shifts.Shift", "get"),
    "api-docs": (ANY, None, "get"),
    "api-schema": (ANY, None, "get"),
    "api-reliability": ("downtime.view_downtimeincident", None, "get"),
    "reports:dashboard": ("shifts.view_shift", None, "get"),
    "api-oee": ("shifts.view_productionrecord", None, "get"),
    "api-downtime-pareto": ("downtime.view_downtimeincident", None, "get"),
    "api-pm-compliance": ("maintenance.view_workorder", None, "get"),
    "api-quality": ("quality.view_inspection", None, "get"),
    "api-root": (ANY, None, "get"),
    "api-signals": (GATEWAY, None, "post"),
    # equipment
    "equipment:equipment_list": ("equipment.view_equipment", None, "get"),
    "equipment:equipment_add": ("equipment.add_equipment", None, "get"),
    "equipment:equipment_detail": ("equipment.view_equipment", "equipment.Equipment", "get"),
    "equipment:equipment_edit": ("equipment.change_equipment", "equipment.Equipment", "get"),
    "equipment:equipment_label": ("equipment.view_equipment", "equipment.Equipment", "get"),
    "equipment:equipment_card": ("equipment.view_equipment", "equipment.Equipment", "get"),
    # work requests: anyone raises one; those who answer them read the site's queue
    "workrequests:workrequest_list": ("workrequests.view_workrequest", None, "get"),
    "workrequests:workrequest_add": ("workrequests.add_workrequest", None, "get"),
    "workrequests:workrequest_detail": (
        "workrequests.view_workrequest",
        "workrequests.WorkRequest",
        "get",
    ),
    "workrequests:workrequest_photo": (
        "workrequests.view_workrequest",
        "workrequests.WorkRequest",
        "get",
    ),
    "workrequests:workrequest_convert": (
        "workrequests.review_workrequest",
        "workrequests.WorkRequest",
        "post",
    ),
    "workrequests:workrequest_decline": (
        "workrequests.review_workrequest",
        "workrequests.WorkRequest",
        "post",
    ),
    "equipment:site_list": ("equipment.view_site", None, "get"),
    "equipment:site_add": ("equipment.add_site", None, "get"),
    "equipment:site_detail": ("equipment.view_site", "equipment.Site", "get"),
    "equipment:site_edit": ("equipment.change_site", "equipment.Site", "get"),
    "equipment:area_list": ("equipment.view_area", None, "get"),
    "equipment:area_add": ("equipment.add_area", None, "get"),
    "equipment:area_detail": ("equipment.view_area", "equipment.Area", "get"),
    "equipment:area_edit": ("equipment.change_area", "equipment.Area", "get"),
    "equipment:line_list": ("equipment.view_line", None, "get"),
    "equipment:line_add": ("equipment.add_line", None, "get"),
    "equipment:line_detail": ("equipment.view_line", "equipment.Line", "get"),
    "equipment:line_edit": ("equipment.change_line", "equipment.Line", "get"),
    "equipment:equipmentclass_list": ("equipment.view_equipmentclass", None, "get"),
    "equipment:equipmentclass_add": ("equipment.add_equipmentclass", None, "get"),
    "equipment:equipmentclass_detail": (
        "equipment.view_equipmentclass",
        "equipment.EquipmentClass",
        "get",
    ),
    "equipment:equipmentclass_edit": (
        "equipment.change_equipmentclass",
        "equipment.EquipmentClass",
        "get",
    ),
    "equipment:meter_list": ("equipment.view_meter", None, "get"),
    "equipment:meter_add": ("equipment.add_meter", None, "get"),
    "equipment:meter_detail": ("equipment.view_meter", "equipment.Meter", "get"),
    "equipment:meter_edit": ("equipment.change_meter", "equipment.Meter", "get"),
    "equipment:meterreading_add": ("equipment.add_meterreading", "equipment.Meter", "get"),
    # shifts
    "shifts:shift_list": ("shifts.view_shift", None, "get"),
    "shifts:my_shift": ("shifts.view_shift", None, "get"),
    "shifts:shift_start": ("shifts.add_shift", None, "post"),
    "shifts:shift_detail": ("shifts.view_shift", "shifts.Shift", "get"),
    "shifts:shift_report": ("shifts.view_shift", "shifts.Shift", "get"),
    "shifts:logentry_add": ("shifts.add_logentry", "shifts.Shift", "get"),
    "shifts:logentry_late": ("shifts.add_logentry", "shifts.Shift", "get"),
    "shifts:productionrecord_add": ("shifts.add_productionrecord", "shifts.Shift", "get"),
    "shifts:product_run_start": ("shifts.add_productionrecord", "shifts.Shift", "get"),
    "shifts:shift_handover": ("shifts.add_handover", "shifts.Shift", "post"),
    "shifts:shift_acknowledge": ("shifts.change_handover", "shifts.Shift", "post"),
    "shifts:shift_sign_off": ("shifts.sign_shift", "shifts.Shift", "post"),
    "shifts:logentry_edit": ("shifts.change_logentry", "shifts.LogEntry", "get"),
    "shifts:logentry_amend": ("shifts.add_logentry", "shifts.LogEntry", "get"),
    "shifts:productionrecord_edit": (
        "shifts.change_productionrecord",
        "shifts.ProductionRecord",
        "get",
    ),
    "shifts:productionrecord_amend": (
        "shifts.add_productionrecord",
        "shifts.ProductionRecord",
        "get",
    ),
    "shifts:openitem_close": ("shifts.change_openitem", "shifts.OpenItem", "post"),
    "shifts:handover_item_answer": ("shifts.change_handover", "shifts.HandoverItem", "post"),
    "shifts:shiftpattern_list": ("shifts.view_shiftpattern", None, "get"),
    "shifts:shiftpattern_add": ("shifts.add_shiftpattern", None, "get"),
    "shifts:shiftpattern_edit": ("shifts.change_shiftpattern", "shifts.ShiftPattern", "get"),
    # downtime
    "downtime:incident_ongoing": ("downtime.view_downtimeincident", None, "get"),
    "downtime:incident_list": ("downtime.view_downtimeincident", None, "get"),
    "downtime:incident_add": ("downtime.add_downtimeincident", None, "get"),
    "downtime:incident_classify": ("downtime.change_downtimeincident", None, "post"),
    "downtime:incident_detail": (
        "downtime.view_downtimeincident",
        "downtime.DowntimeIncident",
        "get",
    ),
    "downtime:incident_edit": (
        "downtime.change_downtimeincident",
        "downtime.DowntimeIncident",
        "get",
    ),
    "downtime:incident_amend": (
        "downtime.amend_downtimeincident",
        "downtime.DowntimeIncident",
        "get",
    ),
    "downtime:incident_close": (
        "downtime.change_downtimeincident",
        "downtime.DowntimeIncident",
        "post",
    ),
    "downtime:incident_photo": (
        "downtime.view_downtimeincident",
        "downtime.DowntimeIncident",
        "get",
    ),
    "downtime:incident_stage": (
        "downtime.change_downtimeincident",
        "downtime.DowntimeIncident",
        "post",
    ),
    # maintenance
    "maintenance:workorder_list": ("maintenance.view_workorder", None, "get"),
    "maintenance:my_work": ("maintenance.view_workorder", None, "get"),
    "maintenance:plan": ("maintenance.view_workorder", None, "get"),
    "maintenance:workorder_add": ("maintenance.add_workorder", None, "get"),
    "maintenance:workorder_detail": ("maintenance.view_workorder", "maintenance.WorkOrder", "get"),
    "maintenance:workorder_edit": ("maintenance.plan_workorder", "maintenance.WorkOrder", "get"),
    "maintenance:workorder_start": (
        "maintenance.change_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_lockout": (
        "maintenance.change_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_lockout_remove": (
        "maintenance.change_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_checklist": (
        "maintenance.change_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:lockout_list": ("maintenance.view_isolationpoint", None, "get"),
    "maintenance:workorder_complete": (
        "maintenance.change_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_verify": (
        "maintenance.verify_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_send_back": (
        "maintenance.verify_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_cancel": (
        "maintenance.plan_workorder",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:workorder_amend": (
        "maintenance.add_workorderamendment",
        "maintenance.WorkOrder",
        "post",
    ),
    "maintenance:maintenanceschedule_list": ("maintenance.view_maintenanceschedule", None, "get"),
    "maintenance:schedule_add": ("maintenance.add_maintenanceschedule", None, "get"),
    "maintenance:schedule_detail": (
        "maintenance.view_maintenanceschedule",
        "maintenance.MaintenanceSchedule",
        "get",
    ),
    "maintenance:schedule_edit": (
        "maintenance.change_maintenanceschedule",
        "maintenance.MaintenanceSchedule",
        "get",
    ),
    "maintenance:sparepart_list": ("maintenance.view_sparepart", None, "get"),
    "maintenance:sparepart_add": ("maintenance.add_sparepart", None, "get"),
    "maintenance:sparepart_edit": ("maintenance.change_sparepart", "maintenance.SparePart", "get"),
    "maintenance:certification_list": ("accounts.view_certification", None, "get"),
    "maintenance:certification_add": ("accounts.add_certification", None, "get"),
    "maintenance:certification_edit": (
        "accounts.change_certification",
        "accounts.Certification",
        "get",
    ),
    # quality
    "quality:inspection_list": ("quality.view_inspection", None, "get"),
    "quality:inspection_add": ("quality.add_inspection", None, "get"),
    "quality:inspection_detail": ("quality.view_inspection", "quality.Inspection", "get"),
    "quality:inspection_sign": ("quality.change_inspection", "quality.Inspection", "post"),
    "quality:inspectionplan_list": ("quality.view_inspectionplan", None, "get"),
    "quality:inspectionplan_add": ("quality.add_inspectionplan", None, "get"),
    "quality:inspectionplan_detail": (
        "quality.view_inspectionplan",
        "quality.InspectionPlan",
        "get",
    ),
    "quality:inspectionplan_edit": (
        "quality.change_inspectionplan",
        "quality.InspectionPlan",
        "get",
    ),
    "quality:characteristic_spc": ("quality.view_inspection", "quality.Characteristic", "get"),
    "quality:nonconformance_list": ("quality.view_nonconformance", None, "get"),
    "quality:nonconformance_add": ("quality.add_nonconformance", None, "get"),
    "quality:nonconformance_detail": (
        "quality.view_nonconformance",
        "quality.Nonconformance",
        "get",
    ),
    "quality:nonconformance_edit": (
        "quality.change_nonconformance",
        "quality.Nonconformance",
        "get",
    ),
    "quality:nonconformance_disposition": (
        "quality.close_nonconformance",
        "quality.Nonconformance",
        "post",
    ),
    "quality:nonconformance_close": (
        "quality.close_nonconformance",
        "quality.Nonconformance",
        "post",
    ),
    "quality:nonconformance_amend": (
        "quality.close_nonconformance",
        "quality.Nonconformance",
        "post",
    ),
}

# The API's actions, by URL name (router basename-action): the permission each needs.
API_ACTIONS = {
    "shifts-handover": "shifts.add_handover",
    "shifts-acknowledge": "shifts.change_handover",
    "shifts-sign-off": "shifts.sign_shift",
    "open-items-close": "shifts.change_openitem",
    "handover-items-answer": "shifts.change_handover",
    "downtime-amend": "downtime.amend_downtimeincident",
    "downtime-close": "downtime.change_downtimeincident",
    "downtime-classify": "downtime.change_downtimeincident",
    "downtime-stage": "downtime.change_downtimeincident",
    "work-orders-amend": "maintenance.add_workorderamendment",
    "work-orders-cancel": "maintenance.plan_workorder",
    "work-orders-complete": "maintenance.change_workorder",
    "work-orders-lockout": "maintenance.change_workorder",
    "work-orders-lockout-remove": "maintenance.change_workorder",
    "work-orders-checklist": "maintenance.change_workorder",
    "work-orders-reopen": "maintenance.verify_workorder",
    "work-orders-start": "maintenance.change_workorder",
    "work-orders-verify": "maintenance.verify_workorder",
    "inspections-sign": "quality.change_inspection",
    "nonconformances-amend": "quality.close_nonconformance",
    "nonconformances-close": "quality.close_nonconformance",
    "nonconformances-disposition": "quality.close_nonconformance",
    "work-requests-convert": "workrequests.review_workrequest",
    "work-requests-decline": "workrequests.review_workrequest",
}
# Actions on several records at once (no id in their URL).
LIST_ACTIONS = {"downtime-classify"}
# Records shared by every site (catalogues): another site's person sees them too.
SHARED = {"equipment.EquipmentClass", "maintenance.SparePart", "downtime.ReasonCode"}
SHARED |= {"downtime.FailureCode"}


def _url_names():
    """(name, pattern) of every URL of the URL conf but the Django admin's and format suffixes."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or ""
                prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                yield from walk(pattern.url_patterns, prefix)
            elif isinstance(pattern, URLPattern) and "format" not in str(pattern.pattern):
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    return list(walk(get_resolver().url_patterns))


def _api_models():
    return {prefix: viewset.queryset.model for prefix, viewset, _ in router.registry}


def _cases():
    """(name, url, method, permission, model label) for every URL name."""
    from django.urls import reverse

    cases, missing, api = [], [], _api_models()
    for name, _pattern in _url_names():
        if name in PAGES:
            permission, label, method = PAGES[name]
            cases.append((name, permission, label, method, "page"))
            continue
        prefix, _, kind = name.rpartition("-")
        if prefix in api and kind in ("list", "detail"):
            opts = api[prefix]._meta
            label = opts.label if kind == "detail" else None
            cases.append((name, f"{opts.app_label}.view_{opts.model_name}", label, "get", "api"))
            continue
        for prefix_ in api:
            if name in API_ACTIONS and name.startswith(prefix_ + "-"):
                opts = api[prefix_]._meta
                label = None if name in LIST_ACTIONS else opts.label
                cases.append((name, API_ACTIONS[name], label, "post", "api"))
                break
        else:
            missing.append(name)
    assert not missing, f"URLs without a row in the permission matrix: {missing}"
    del reverse
    return cases


def _writes_records(sql: str) -> bool:
    """A statement that changes a record: sessions, log-in throttling and the health check's
    rolled-back probe (which matches no row) aside."""
    verb = sql.lstrip().split(" ", 1)[0].upper()
    return verb in {"INSERT", "UPDATE", "DELETE"} and not any(
        table in sql for table in ("django_session", "axes_", "django_migrations")
    )


def _record(label):
    model = apps.get_model(label)
    return model._base_manager.order_by("pk").first()


def _url(name, obj):
    from django.urls import reverse

    kwargs = {}
    if obj is not None:
        kwargs["pk"] = obj.pk
    if name == "audit_trail":
        kwargs["model"] = obj._meta.label_lower
    if name == "shifts:handover_item_answer":
        kwargs.update(pk=obj.handover.shift_id, item_pk=obj.pk)
    if name in ("downtime:incident_stage", "downtime-stage"):
        kwargs["stage"] = "responded"
    return reverse(name, kwargs=kwargs)


def _expected(user, permission, label):
    """'login', 'denied', 'hidden' or 'allowed'."""
    if permission == PUBLIC:
        return "allowed"
    if user is None or permission == GATEWAY:
        return "login"
    if permission is not ANY and not user.has_perm(permission):
        return "denied"
    if label and label not in SHARED:
        model = apps.get_model(label)
        visible = model._default_manager.all()
        if hasattr(visible, "for_user"):
            visible = visible.for_user(user)
        if not visible.filter(pk=_record(label).pk).exists():
            return "hidden"
    return "allowed"


def _answer(response, kind):
    code = response.status_code
    if code >= 500:
        return f"server error {code}"
    if code in (401,) or (code == 302 and "/accounts/login/" in response.get("Location", "")):
        return "login"
    if code == 403:
        return (
            "denied"
            if kind == "page" or "credentials" not in response.content.decode()
            else "login"
        )
    if code == 404:
        return "hidden"
    return "allowed"


# Thousands of requests in one test: the debug query log (kept for the query-count checks) caps
# itself at 9,000 entries and says so; the cap changes nothing this test asserts.
@pytest.mark.filterwarnings("ignore:Limit for query logging exceeded:UserWarning")
def test_every_url_answers_each_persona_as_the_matrix_says(db, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from logbook.downtime.models import DowntimeIncident
    from logbook.workrequests.models import WorkRequest
    from tests.factories import photo_upload

    demo_with_every_locked_kind()
    settings.MEDIA_ROOT = tmp_path
    stored = default_storage.save("downtime/jam.jpg", ContentFile(photo_upload().read()))
    DowntimeIncident.objects.filter(pk=_record("downtime.DowntimeIncident").pk).update(photo=stored)
    WorkRequest.objects.filter(pk=_record("workrequests.WorkRequest").pk).update(photo=stored)
    outsider = UserFactory(
        username="elsewhere", roles=[Role.SUPERVISOR], member_of=[SiteFactory(code="ELS")]
    )
    personas = {
        "anonymous": None,
        **{
            name: User.objects.get(username=name)
            for name in ("tech", "quality", "planner", "operator")
        },
        "supervisor": User.objects.get(username="supervisor"),
        "admin": User.objects.get(username="admin"),
        "another site": outsider,
    }
    clients = {}
    for persona, user in personas.items():
        clients[persona] = Client(raise_request_exception=False)
        if user is not None:
            clients[persona].force_login(user)
    wrong, checked = [], 0
    for name, permission, label, method, kind in _cases():
        obj = _record(label) if label else None
        if label:
            assert obj is not None, f"no {label} in the demo plant for {name}"
        url = _url(name, obj)
        for persona, user in personas.items():
            client = clients[persona]
            if name == "logout":  # on a client of its own: the others stay logged in
                client = Client(raise_request_exception=False)
                if user is not None:
                    client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(url)
            if method == "get":
                writes = [q["sql"][:80] for q in captured if _writes_records(q["sql"])]
                if writes:
                    wrong.append(f"{persona:>12} GET  {url} ({name}) wrote: {writes}")
            got = _answer(response, kind)
            if permission == PUBLIC and got == "login":
                got = "allowed"  # logging out leads to the login page
            want = _expected(user, permission, label)
            checked += 1
            if got != want:
                wrong.append(f"{persona:>12} {method.upper():4} {url} ({name}): {got}, not {want}")
    assert not wrong, f"{len(wrong)} of {checked} answers differ:\n" + "\n".join(wrong)
