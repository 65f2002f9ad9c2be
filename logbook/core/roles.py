"""Roles: Django groups whose permissions come from one matrix in code.

A role says what a user may do (view, add, change…); a user's sites say where. Both are checked on
every page, in the admin and in the API (see ``core.querysets.SiteScopedQuerySet`` for the where).
"""

from fnmatch import fnmatchcase

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    TECHNICIAN = "technician", _("Technician")
    SUPERVISOR = "supervisor", _("Supervisor")
    QUALITY = "quality", _("Quality")
    PLANNER = "planner", _("Planner")
    ADMIN = "admin", _("Administrator")
    OPERATOR = "operator", _("Operator")


# "app_label.codename" patterns (fnmatch). Apps append their rows as they land.
_VIEW_ALL = [
    "equipment.view_*",
    "accounts.view_user",
    "accounts.view_signature",
    "shifts.view_*",
    "downtime.view_*",
    "maintenance.view_*",
    "accounts.view_certification",
    "quality.view_*",
    "telemetry.view_microstop",
    "telemetry.view_silentperiod",
]
# Anyone with an account may report a problem and follow what became of it.
_REQUEST_WORK = ["workrequests.add_workrequest", "workrequests.view_workrequest"]
_REVIEW_REQUESTS = [*_REQUEST_WORK, "workrequests.review_workrequest"]
_INSPECT = ["quality.add_inspection", "quality.add_nonconformance"]
_FLOOR_MAINTENANCE = ["maintenance.add_workorder", "maintenance.change_workorder"]
_PLAN_MAINTENANCE = [
    *_FLOOR_MAINTENANCE,
    "maintenance.add_maintenanceschedule",
    "maintenance.change_maintenanceschedule",
    "maintenance.add_sparepart",
    "maintenance.change_sparepart",
    "maintenance.plan_workorder",
]
_REPORT_DOWN = [
    "downtime.add_downtimeincident",
    "downtime.change_downtimeincident",
    "equipment.add_equipmentevent",
]
_FLOOR_WORK = [
    "shifts.add_shift",
    "shifts.add_logentry",
    "shifts.change_logentry",
    "shifts.delete_logentry",
    "shifts.add_productionrecord",
    "shifts.change_productionrecord",
    "shifts.delete_productionrecord",
    "shifts.add_handover",
    "shifts.change_handover",
    "shifts.change_openitem",
]
_SHIFT_PATTERNS = ["shifts.add_shiftpattern", "shifts.change_shiftpattern"]
_EDIT_REGISTER = [
    f"equipment.{action}_{model}"
    for action in ("add", "change")
    for model in ("site", "area", "line", "equipmentclass", "equipment", "meter")
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # A machine operator: finds the machine (the register, its floor card) and requests work.
    Role.OPERATOR: [*_REQUEST_WORK, "equipment.view_*"],
    Role.TECHNICIAN: [
        *_VIEW_ALL,
        *_REQUEST_WORK,
        "equipment.add_meterreading",
        *_FLOOR_WORK,
        *_REPORT_DOWN,
        *_FLOOR_MAINTENANCE,
        *_INSPECT,
    ],
    Role.QUALITY: [
        *_REQUEST_WORK,
        *_INSPECT,
        "quality.add_inspectionplan",
        "quality.change_inspectionplan",
        "quality.change_nonconformance",
        "quality.close_nonconformance",
        "quality.change_inspection",
        *_VIEW_ALL,
        "equipment.add_meterreading",
        "shifts.add_logentry",
        "shifts.change_logentry",
        "shifts.delete_logentry",
        "downtime.add_downtimeincident",
    ],
    Role.PLANNER: [
        *_VIEW_ALL,
        *_REVIEW_REQUESTS,
        *_EDIT_REGISTER,
        "equipment.add_meterreading",
        *_SHIFT_PATTERNS,
        *_PLAN_MAINTENANCE,
    ],
    Role.SUPERVISOR: [
        *_VIEW_ALL,
        *_REVIEW_REQUESTS,
        *_EDIT_REGISTER,
        "equipment.add_meterreading",
        "equipment.change_meterreading",
        *_FLOOR_WORK,
        *_SHIFT_PATTERNS,
        "shifts.change_shift",
        "shifts.sign_shift",
        "shifts.change_any_logentry",
        "accounts.view_audit_trail",
        *_REPORT_DOWN,
        "downtime.amend_downtimeincident",
        *_PLAN_MAINTENANCE,
        "maintenance.verify_workorder",
        "maintenance.add_workorderamendment",
        "accounts.add_certification",
        "accounts.change_certification",
        *_INSPECT,
        "quality.change_nonconformance",
    ],
    Role.ADMIN: ["*"],
}


def permissions_for(role: str, codenames: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the (app_label, codename) pairs among ``codenames`` that ``role`` is granted."""
    patterns = ROLE_PERMISSIONS[role]
    return [
        (app, code)
        for app, code in codenames
        if any(fnmatchcase(f"{app}.{code}", pattern) for pattern in patterns)
    ]


def sync_roles(sender=None, using="default", **kwargs):
    """Create the role groups and give each exactly its permissions. Idempotent.

    post_migrate fires once per installed app, and each app's permissions are created by its own
    signal; so act once, on the last app, when every permission exists.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender is not with_models[-1]:
        return

    everything = list(
        Permission.objects.using(using).values_list("pk", "content_type__app_label", "codename")
    )
    by_key = {(app, code): pk for pk, app, code in everything}
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        wanted = [by_key[key] for key in permissions_for(role, list(by_key))]
        group.permissions.set(wanted)
