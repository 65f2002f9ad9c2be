"""Writes on quality records: plan versions, inspections with their verdict, nonconformances.

Pages, the admin and the API call these, so the rules hold everywhere: a plan in use is never
changed (a new version is made), verdicts are computed here and never edited, closed
nonconformances never change.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logbook.accounts.services import signature_create
from logbook.core import idempotency
from logbook.core.exceptions import RecordLocked
from logbook.quality.choices import CharacteristicKind, NCStatus, Verdict
from logbook.quality.models import (
    Characteristic,
    Inspection,
    InspectionPlan,
    Measurement,
    Nonconformance,
    NonconformanceAmendment,
)

PLAN_FIELDS = ("name", "product", "line", "equipment")
CHARACTERISTIC_FIELDS = (
    "name",
    "kind",
    "nominal",
    "lsl",
    "usl",
    "unit",
    "decimals",
    "defect_types",
)


def _characteristics(plan, rows):
    made = []
    for order, row in enumerate(rows):
        item = Characteristic(
            plan=plan,
            order=order,
            **{name: row.get(name) for name in CHARACTERISTIC_FIELDS if name in row},
        )
        item.defect_types = item.defect_types or ""
        item.unit = item.unit or ""
        if item.decimals is None:
            item.decimals = 2
        item.full_clean(exclude=["plan"])
        made.append(item)
    if not made:
        raise ValidationError(_("A plan checks at least one characteristic."))
    for item in made:
        item.plan = plan
        item.save()
    return made


@transaction.atomic
def plan_save(*, plan: InspectionPlan, user, characteristics: list[dict]) -> InspectionPlan:
    """Save a plan and its characteristics. A plan that inspections used is not changed: the
    change becomes its next version, and the old one stays as it was for those inspections."""
    if plan.pk is None:
        plan.created_by = user
        plan.full_clean()
        plan.save()
        _characteristics(plan, characteristics)
        return plan
    current = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if not current.is_current:
        raise ValidationError(_("Only the current version of a plan is changed."))
    if not Inspection.objects.filter(plan=current).exists():
        plan.full_clean()
        plan.save()
        plan.characteristics.all().delete()
        _characteristics(plan, characteristics)
        return plan
    InspectionPlan.objects.filter(pk=current.pk).update(is_current=False)
    new = InspectionPlan(
        family=current.family,
        version=current.version + 1,
        created_by=user,
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
    )
    new.full_clean()
    new.save()
    _characteristics(new, characteristics)
    return new


def _decimal(raw, characteristic: Characteristic, errors: list) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.append(
            _("%(name)s: “%(raw)s” is not a number.") % {"name": characteristic.name, "raw": raw}
        )
        return None
    if not value.is_finite():
        errors.append(_("%(name)s: not a number.") % {"name": characteristic.name})
        return None
    if value != characteristic.quantize(value):
        errors.append(
            ngettext(
                "%(name)s is read to %(decimals)s decimal: %(raw)s has more.",
                "%(name)s is read to %(decimals)s decimals: %(raw)s has more.",
                characteristic.decimals,
            )
            % {"name": characteristic.name, "decimals": characteristic.decimals, "raw": raw}
        )
        return None
    return characteristic.quantize(value)


@transaction.atomic
def inspection_record(
    *,
    plan: InspectionPlan,
    user,
    batch: str,
    results: dict,
    sample="",
    shift=None,
    inspected_at=None,
) -> Inspection:
    """Record an inspection against the current version of a plan; compute its verdict.

    ``results`` maps each characteristic's id to a value (variable) or to
    {"passed": bool, "defect": str} (attribute). Pass only if every characteristic passes.
    """
    plan = InspectionPlan.objects.select_related("line").get(pk=plan.pk)
    if not plan.is_current:
        raise ValidationError(_("This plan has a newer version: inspect with the current one."))
    if shift is not None and shift.line_id != plan.line_id:
        raise ValidationError({"shift": _("That shift is on another line.")})
    if not (batch or "").strip():
        raise ValidationError({"batch": _("Give the batch or lot inspected.")})
    errors, measurements = [], []
    for characteristic in plan.characteristics.all():
        answer = results.get(characteristic.pk)
        if characteristic.kind == CharacteristicKind.VARIABLE:
            if answer in (None, ""):
                errors.append(_("%(name)s: enter the value.") % {"name": characteristic.name})
                continue
            value = _decimal(answer, characteristic, errors)
            if value is not None:
                measurements.append(
                    Measurement(
                        characteristic=characteristic,
                        value=value,
                        passed=characteristic.passes(value),
                    )
                )
        else:
            answer = answer or {}
            if answer.get("passed") is None:
                errors.append(_("%(name)s: pass or fail?") % {"name": characteristic.name})
                continue
            defect = (answer.get("defect") or "").strip()
            if (
                not answer["passed"]
                and characteristic.defects
                and defect not in characteristic.defects
            ):
                errors.append(
                    _("%(name)s failed: choose the defect.") % {"name": characteristic.name}
                )
                continue
            measurements.append(
                Measurement(
                    characteristic=characteristic,
                    passed=bool(answer["passed"]),
                    defect="" if answer["passed"] else defect,
                )
            )
    unknown = set(results) - set(plan.characteristics.values_list("pk", flat=True))
    if unknown:
        errors.append(_("Values were given for characteristics not on this plan."))
    if errors:
        raise ValidationError(errors)
    inspection = Inspection(
        plan=plan,
        line=plan.line,
        shift=shift,
        batch=batch.strip(),
        sample=sample or "",
        inspector=user,
        inspected_at=inspected_at or idempotency.happened_at(),
        verdict=Verdict.PASS if all(m.passed for m in measurements) else Verdict.FAIL,
    )
    if inspection.inspected_at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"inspected_at": _("An inspection cannot be in the future.")})
    inspection.save()
    for measurement in measurements:
        measurement.inspection = inspection
    Measurement.objects.bulk_create(measurements)
    return inspection


@transaction.atomic
def inspection_sign(*, inspection: Inspection, user, password: str) -> Inspection:
    """Quality staff sign an inspection as reviewed; from then on it never changes."""
    if not user.has_perm("quality.change_inspection"):
        raise PermissionDenied(_("Quality staff sign inspections."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.signature_id:
        raise RecordLocked(_("This inspection is already signed."))
    inspection.signature = signature_create(user=user, password=password, meaning="reviewed")
    inspection.save(update_fields=["signature"])
    return inspection


def failure_summary(inspection: Inspection) -> str:
    """What failed, for a nonconformance raised from the inspection."""
    lines = []
    for m in inspection.measurements.select_related("characteristic").filter(passed=False):
        c = m.characteristic
        if m.value is not None:
            limits = "–".join(f"{v.normalize():f}" for v in (c.lsl, c.usl) if v is not None)
            lines.append(f"{c.name}: {m.value.normalize():f} {c.unit} (limits {limits})")
        else:
            lines.append(f"{c.name}: failed" + (f" ({m.defect})" if m.defect else ""))
    return "\n".join(lines)


def refuse_if_closed(nc: Nonconformance) -> None:
    if nc.status == NCStatus.CLOSED:
        raise RecordLocked(_("%(number)s is closed: it cannot change.") % {"number": nc.number})


def _lock_nc(nc: Nonconformance) -> Nonconformance:
    nc = Nonconformance.objects.select_for_update(of=("self",)).get(pk=nc.pk)
    refuse_if_closed(nc)
    return nc


@transaction.atomic
def nonconformance_raise(
    *, user, line, title, description="", batch="", severity="minor", quantity=None, inspection=None
) -> Nonconformance:
    if inspection is not None and inspection.line_id != line.pk:
        raise ValidationError({"inspection": _("That inspection is on another line.")})
    nc = Nonconformance(
        line=line,
        title=title,
        description=description,
        batch=batch,
        severity=severity,
        quantity=quantity,
        inspection=inspection,
        raised_by=user,
    )
    nc.full_clean()
    nc.save()
    return nc


EDITABLE = (
    "title",
    "description",
    "batch",
    "quantity",
    "severity",
    "containment",
    "root_cause",
    "corrective_action",
    "preventive_action",
)


@transaction.atomic
def nonconformance_update(*, nc: Nonconformance, user, **fields) -> Nonconformance:
    nc = _lock_nc(nc)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError({name: _("This field is not changed here.")})
        setattr(nc, name, value)
    nc.full_clean()
    nc.save()
    return nc


@transaction.atomic
def nonconformance_disposition(*, nc: Nonconformance, user, disposition: str, containment=""):
    """Decide what happens to the product: rework, scrap, use as is, return to the supplier."""
    if not user.has_perm("quality.close_nonconformance"):
        raise PermissionDenied(_("Quality staff disposition nonconformances."))
    nc = _lock_nc(nc)
    if nc.status != NCStatus.OPEN:
        raise ValidationError(_("It was already dispositioned."))
    nc.disposition = disposition
    nc.containment = containment or nc.containment
    nc.status = NCStatus.DISPOSITIONED
    nc.full_clean()
    if not nc.disposition:
        raise ValidationError({"disposition": _("Choose a disposition.")})
    nc.save()
    return nc


@transaction.atomic
def nonconformance_close(*, nc: Nonconformance, user, password: str, **fields):
    """Close with root cause and actions, signed (password re-entered); never changes again."""
    if not user.has_perm("quality.close_nonconformance"):
        raise PermissionDenied(_("Quality staff close nonconformances."))
    nc = _lock_nc(nc)
    if nc.status != NCStatus.DISPOSITIONED:
        raise ValidationError(_("Disposition it before closing."))
    for name, value in fields.items():
        if name in ("root_cause", "corrective_action", "preventive_action"):
            setattr(nc, name, value)
    missing = {
        name: _("Required to close.")
        for name in ("root_cause", "corrective_action")
        if not getattr(nc, name).strip()
    }
    if missing:
        raise ValidationError(missing)
    nc.signature = signature_create(user=user, password=password, meaning="approved")
    nc.status = NCStatus.CLOSED
    nc.save()
    return nc


@transaction.atomic
def nonconformance_amend(*, nc: Nonconformance, user, text: str, reason: str):
    """A correction to a closed nonconformance, beside it; the closed record does not change."""
    if not user.has_perm("quality.close_nonconformance"):
        raise PermissionDenied(_("Quality staff amend nonconformances."))
    nc = Nonconformance.objects.get(pk=nc.pk)  # its status now, not as the caller last read it
    if nc.status != NCStatus.CLOSED:
        raise ValidationError(_("Only a closed nonconformance is amended; edit this one."))
    amendment = NonconformanceAmendment(nonconformance=nc, text=text, reason=reason, author=user)
    amendment.full_clean()
    amendment.save()
    return amendment
