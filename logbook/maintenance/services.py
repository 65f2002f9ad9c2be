"""Writes on maintenance: PM generation, the work-order life cycle, stock, certifications.

Pages, the admin and the API call these functions, so the rules hold on every path: status
moves only along the allowed paths, locks on before the checklist and off before completing,
the certification gate, stock never below zero, verified orders never change.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.accounts.models import Certification
from logbook.accounts.services import signature_create
from logbook.core.exceptions import RecordLocked
from logbook.equipment.models import MeterReading
from logbook.maintenance.choices import (
    ACTIVE_STATUSES,
    IntervalUnit,
    ItemKind,
    Priority,
    WorkOrderKind,
    WorkOrderStatus,
)
from logbook.maintenance.models import (
    ChecklistResult,
    IsolationPoint,
    MaintenanceSchedule,
    PartUsage,
    SparePart,
    WorkOrder,
    WorkOrderAmendment,
)
from logbook.maintenance.selectors import compute_next_due

S = WorkOrderStatus
# The only moves a work order makes. Anything else is refused with the reason.
ALLOWED = {
    S.OPEN: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.DONE, S.CANCELLED},
    S.DONE: {S.VERIFIED, S.IN_PROGRESS},
    S.VERIFIED: set(),
    S.CANCELLED: set(),
}


def _lock(work_order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("equipment__line__area__site", "schedule__required_class", "signature")
        .get(pk=work_order.pk)
    )


def _move(work_order: WorkOrder, target: str, *, only_from=None) -> None:
    """Move along an allowed path (``only_from`` narrows it: starting is from open only)."""
    current = work_order.status
    if target in ALLOWED[current] and (only_from is None or current in only_from):
        work_order.status = target
        return
    if current in (S.VERIFIED, S.CANCELLED):
        raise RecordLocked(
            _("%(number)s is %(status)s: it cannot change any more.")
            % {"number": work_order.number, "status": S(current).label.lower()}
        )
    raise ValidationError(
        _("%(number)s is %(status)s: it cannot become %(target)s.")
        % {
            "number": work_order.number,
            "status": S(current).label.lower(),
            "target": S(target).label.lower(),
        }
    )


def _local_midnight(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


# Schedules ------------------------------------------------------------------------------------


@transaction.atomic
def schedule_save(*, schedule: MaintenanceSchedule, checklist=None) -> MaintenanceSchedule:
    """Save a schedule (and, if given, its checklist as a list of item dicts); recompute its due
    date."""
    schedule.full_clean()
    schedule.save()
    if checklist is not None:
        schedule.checklist.all().delete()
        # Numbered in the order given (an "order" in the items only sorts them beforehand).
        items = sorted(checklist, key=lambda item: item.get("order") or 0)
        for order, item in enumerate(items):
            fields = {name: value for name, value in item.items() if name not in ("order", "id")}
            row = schedule.checklist.model(schedule=schedule, order=order, **fields)
            row.full_clean()
            row.save()
    return schedule_recompute(schedule=schedule)


def schedule_recompute(*, schedule: MaintenanceSchedule, today=None) -> MaintenanceSchedule:
    schedule.next_due = compute_next_due(schedule, today) if schedule.active else None
    MaintenanceSchedule.objects.filter(pk=schedule.pk).update(next_due=schedule.next_due)
    return schedule


def _preventive_from(schedule: MaintenanceSchedule, due: datetime.date) -> WorkOrder:
    zone = schedule.equipment.line.area.site.zone
    work_order = WorkOrder.objects.create(
        kind=WorkOrderKind.PREVENTIVE,
        equipment=schedule.equipment,
        schedule=schedule,
        title=schedule.title,
        priority=schedule.priority,
        due_at=_local_midnight(due, zone),
        tolerance_days=schedule.tolerance_days,
        lockout_required=schedule.lockout_required,
    )
    ChecklistResult.objects.bulk_create(
        [
            ChecklistResult(
                work_order=work_order,
                order=item.order,
                text=item.text,
                kind=item.kind,
                unit=item.unit,
                lower_limit=item.lower_limit,
                upper_limit=item.upper_limit,
            )
            for item in schedule.checklist.all()
        ]
    )
    return work_order


def generate_pm_work_orders(*, today: datetime.date | None = None, lookahead_days=None) -> dict:
    """Create the preventive work orders that fall due within the look-ahead window.

    Idempotent, and safe on several servers at once: one active order per schedule and one
    order per schedule and due date are database constraints, and a refused insert is counted
    as already there. Returns {"created": n, "already": n, "no_date": n}.
    """
    lookahead = settings.PM_LOOKAHEAD_DAYS if lookahead_days is None else lookahead_days
    counts = {"created": 0, "already": 0, "no_date": 0}
    schedules = MaintenanceSchedule.objects.filter(active=True).select_related(
        "equipment__line__area__site", "meter"
    )
    for schedule in schedules:
        zone = schedule.equipment.line.area.site.zone
        local_today = today or timezone.localdate(timezone=zone)
        schedule_recompute(schedule=schedule, today=local_today)
        if schedule.next_due is None:
            counts["no_date"] += 1
            continue
        if schedule.next_due > local_today + datetime.timedelta(days=lookahead):
            continue
        if WorkOrder.objects.filter(schedule=schedule, status__in=ACTIVE_STATUSES).exists():
            counts["already"] += 1
            continue
        try:
            with transaction.atomic():
                _preventive_from(schedule, schedule.next_due)
        except IntegrityError:
            counts["already"] += 1  # another server made it a moment ago
        else:
            counts["created"] += 1
    return counts


# Corrective work ------------------------------------------------------------------------------


@transaction.atomic
def work_order_create(
    *,
    equipment,
    user,
    title,
    description="",
    priority=Priority.NORMAL,
    due_at=None,
    assigned_to=None,
    downtime_incident=None,
    log_entry=None,
):
    """Raise a corrective work order (from an equipment, a log entry or a downtime incident)."""
    if downtime_incident is not None and downtime_incident.equipment_id != equipment.pk:
        raise ValidationError({"downtime_incident": _("That incident is on another equipment.")})
    if log_entry is not None and log_entry.shift.line.area.site_id != equipment.line.area.site_id:
        raise ValidationError({"log_entry": _("That log entry is on another site.")})
    work_order = WorkOrder(
        kind=WorkOrderKind.CORRECTIVE,
        equipment=equipment,
        title=title,
        description=description,
        priority=priority,
        due_at=due_at or timezone.now(),
        assigned_to=assigned_to,
        downtime_incident=downtime_incident,
        log_entry=log_entry,
        created_by=user,
    )
    work_order.full_clean()
    work_order.save()
    return work_order


@transaction.atomic
def work_order_update(*, work_order: WorkOrder, user, **fields) -> WorkOrder:
    """Plan an active order: title, description, priority, due date, assignee."""
    work_order = _lock(work_order)
    if work_order.status not in ACTIVE_STATUSES:
        if work_order.is_locked:
            _move(work_order, S.OPEN)  # raises RecordLocked with the reason
        raise ValidationError(_("Only an open or running work order is re-planned."))
    for name in ("title", "description", "priority", "due_at", "assigned_to"):
        if name in fields:
            setattr(work_order, name, fields[name])
    work_order.full_clean()
    work_order.save()
    return work_order


# The life cycle -------------------------------------------------------------------------------


@transaction.atomic
def work_order_start(*, work_order: WorkOrder, user) -> WorkOrder:
    work_order = _lock(work_order)
    _move(work_order, S.IN_PROGRESS, only_from={S.OPEN})
    work_order.started_at = work_order.started_at or timezone.now()
    if work_order.assigned_to_id is None:
        work_order.assigned_to = user
    work_order.save()
    return work_order


def _in_progress(work_order: WorkOrder, doing: str) -> None:
    """Isolation and checklist answers are for work in progress: verified or cancelled work is
    locked (409); open or completed work is refused with the reason."""
    if work_order.status == S.IN_PROGRESS:
        return
    if work_order.is_locked:
        raise RecordLocked(
            _("%(number)s is %(status)s: it cannot change any more.")
            % {"number": work_order.number, "status": S(work_order.status).label.lower()}
        )
    raise ValidationError(
        _("%(number)s is %(status)s: start the work before %(doing)s.")
        % {
            "number": work_order.number,
            "status": S(work_order.status).label.lower(),
            "doing": doing,
        }
    )


@transaction.atomic
def lockout_apply(*, work_order: WorkOrder, user, points) -> WorkOrder:
    """Isolate the equipment: each energy source gets a lock (and a tag), recorded with who
    put it on and when. More locks may be added while the work is in progress. A lock is on one
    machine at a time: a number already on at the site is refused."""
    work_order = _lock(work_order)
    _in_progress(work_order, _("isolating the equipment"))
    rows = [
        {key: (point.get(key) or "").strip() for key in ("source", "lock_number", "tag_number")}
        for point in points
    ]
    rows = [row for row in rows if any(row.values())]
    if not rows:
        raise ValidationError(_("Record at least one energy source with its lock number."))
    errors = []
    for row in rows:
        if not row["source"] or not row["lock_number"]:
            errors.append(
                _("Each energy source needs its lock number (“%(source)s”).")
                % {"source": row["source"] or row["lock_number"] or row["tag_number"]}
            )
    numbers = [row["lock_number"] for row in rows if row["lock_number"]]
    if len(set(numbers)) < len(numbers):
        errors.append(_("A lock goes on one energy source: a lock number is given twice."))
    site = work_order.equipment.line.area.site
    elsewhere = (
        IsolationPoint.objects.filter(
            removed_at__isnull=True,
            lock_number__in=numbers,
            work_order__equipment__line__area__site=site,
        )
        .select_related("work_order__equipment")
        .order_by("lock_number")
    )
    for point in elsewhere:
        errors.append(
            _("Lock %(lock)s is on %(tag)s for %(number)s: remove it there first.")
            % {
                "lock": point.lock_number,
                "tag": point.work_order.equipment.asset_tag,
                "number": point.work_order.number,
            }
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for row in rows:
        point = IsolationPoint(work_order=work_order, applied_by=user, applied_at=now, **row)
        point.full_clean()
        point.save()
    if work_order.lockout_confirmed_at is None:
        work_order.lockout_confirmed_at, work_order.lockout_confirmed_by = now, user
    # Locked out again: the machine is started up (and checked) again when they come off.
    work_order.startup_checked_at = work_order.startup_checked_by = None
    work_order.save(
        update_fields=[
            "lockout_confirmed_at",
            "lockout_confirmed_by",
            "startup_checked_at",
            "startup_checked_by",
        ]
    )
    return work_order


@transaction.atomic
def lockout_remove(
    *, work_order: WorkOrder, user, points, startup_checked=False, note=""
) -> WorkOrder:
    """Take locks off (recorded, who and when). When the last one comes off, the start-up check
    is confirmed in the same step: guards back, people clear, the machine tried."""
    work_order = _lock(work_order)
    _in_progress(work_order, _("removing locks"))
    on = {point.pk: point for point in work_order.isolation_points.filter(removed_at__isnull=True)}
    chosen = {int(getattr(point, "pk", point)) for point in points}
    if not chosen:
        raise ValidationError({"points": _("Tick the locks you removed.")})
    unknown = chosen - on.keys()
    if unknown:
        raise ValidationError(
            {"points": _("Only the locks on this work order that are still on can be removed.")}
        )
    last = chosen == on.keys()
    if last and not startup_checked:
        raise ValidationError(
            {
                "startup_checked": _(
                    "Before the last lock comes off: guards back, people clear, the machine "
                    "tried. Confirm the start-up check."
                )
            }
        )
    now = timezone.now()
    for pk in sorted(chosen):  # saved one by one: the audit trail records each removal
        point = on[pk]
        point.removed_at, point.removed_by = now, user
        point.save(update_fields=["removed_at", "removed_by"])
    if last:
        work_order.startup_checked_at, work_order.startup_checked_by = now, user
        work_order.startup_note = (note or "").strip()
        work_order.save(update_fields=["startup_checked_at", "startup_checked_by", "startup_note"])
    return work_order


def _check_isolation_cleared(work_order: WorkOrder) -> None:
    """Completing isolated work needs its locks off and the start-up check done."""
    on = list(
        work_order.isolation_points.filter(removed_at__isnull=True).values_list(
            "lock_number", flat=True
        )
    )
    if on:
        raise ValidationError(
            _("Remove the locks (%(locks)s) and do the start-up check before completing.")
            % {"locks": ", ".join(on)}
        )
    if work_order.lockout_confirmed_at is not None and work_order.startup_checked_at is None:
        raise ValidationError(_("Do the start-up check before completing."))


def check_certification(*, work_order: WorkOrder, user, day: datetime.date) -> None:
    """Refuse, naming the expiry, if the schedule needs a certification the user lacks."""
    needed = work_order.schedule.required_class if work_order.schedule_id else None
    if needed is None:
        return
    held = Certification.objects.filter(user=user, equipment_class=needed)
    if held.filter(expires_on__gte=day).exists():
        return
    latest = held.order_by("-expires_on").first()
    if latest is not None:
        raise ValidationError(
            _(
                "Your certification for %(cls)s expired on %(date)s: renew it before completing "
                "this work."
            )
            % {"cls": needed.name, "date": latest.expires_on.isoformat()}
        )
    raise ValidationError(
        _("This work needs a certification for %(cls)s, which you do not hold.")
        % {"cls": needed.name}
    )


def _set_answers(work_order: WorkOrder, results) -> tuple[list[ChecklistResult], list[str]]:
    """Put the answers given on the order's checklist rows (not saved yet); unknown rows are
    errors."""
    rows = {row.pk: row for row in work_order.checklist.all()}
    errors = []
    for answer in results:
        row = rows.get(int(answer.get("id") or answer.get("item") or 0))
        if row is None:
            errors.append(
                _("Checklist item %(id)s is not on this work order.") % {"id": answer.get("id")}
            )
            continue
        if "done" in answer:
            row.done = answer["done"]
        if "value" in answer:
            row.value = None if answer["value"] in (None, "") else Decimal(str(answer["value"]))
        if "note" in answer:
            row.note = (answer["note"] or "").strip()
    return list(rows.values()), errors


def _apply_results(work_order: WorkOrder, results) -> None:
    rows, errors = _set_answers(work_order, results)
    for row in rows:
        if row.kind == ItemKind.CHECK and row.done is None:
            errors.append(
                _("“%(item)s”: tick it, or say it could not be done.") % {"item": row.text}
            )
        elif row.kind == ItemKind.CHECK and row.done is False and not row.note:
            errors.append(_("“%(item)s” was not done: say why in a note.") % {"item": row.text})
        elif row.kind == ItemKind.MEASURE and row.value is None:
            errors.append(_("“%(item)s”: enter the measured value.") % {"item": row.text})
        elif row.out_of_limits and not row.note:
            errors.append(
                _("“%(item)s”: %(value)s %(unit)s is outside %(low)s–%(high)s; add a note.")
                % {
                    "item": row.text,
                    "value": row.value.normalize(),
                    "unit": row.unit,
                    "low": "" if row.lower_limit is None else row.lower_limit.normalize(),
                    "high": "" if row.upper_limit is None else row.upper_limit.normalize(),
                }
            )
        row.save()
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def checklist_save(
    *, work_order: WorkOrder, user, results, findings=None, labour_minutes=None
) -> WorkOrder:
    """Keep the checklist's answers as they are given, step by step (a reload or a lost
    connection loses nothing); whether every step is answered is checked on completing."""
    work_order = _lock(work_order)
    _in_progress(work_order, _("answering the checklist"))
    if work_order.lockout_required and work_order.lockout_confirmed_at is None:
        raise ValidationError(_("Isolate the equipment (locks and tags) before the checklist."))
    rows, errors = _set_answers(work_order, results)
    if errors:
        raise ValidationError(errors)
    for row in rows:
        row.full_clean()
        row.save()
    if findings is not None or labour_minutes is not None:
        work_order.findings = work_order.findings if findings is None else findings.strip()
        work_order.labour_minutes = (
            labour_minutes if labour_minutes is not None else work_order.labour_minutes
        )
        work_order.save(update_fields=["findings", "labour_minutes"])
    return work_order


def _use_parts(work_order: WorkOrder, user, parts_used) -> None:
    for line in parts_used:
        quantity = Decimal(str(line["quantity"]))
        if quantity <= 0:
            raise ValidationError(_("A quantity of parts is more than 0."))
        part = SparePart.objects.select_for_update().get(pk=line["part"].pk)
        if part.stock < quantity:
            raise ValidationError(
                _("Only %(stock)s %(unit)s of %(part)s in stock: %(qty)s cannot be used.")
                % {
                    "stock": part.stock.normalize(),
                    "unit": part.unit,
                    "part": part.part_number,
                    "qty": quantity.normalize(),
                }
            )
        part.stock -= quantity
        part.save(update_fields=["stock"])
        PartUsage.objects.create(work_order=work_order, part=part, quantity=quantity, used_by=user)


@transaction.atomic
def work_order_complete(
    *,
    work_order: WorkOrder,
    user,
    results=(),
    parts_used=(),
    findings="",
    labour_minutes=None,
) -> WorkOrder:
    """Complete: checklist answered, isolation applied and cleared where required (locks off,
    start-up checked), certification held,
    parts taken out of stock, all in one transaction. A preventive order moves its schedule on."""
    work_order = _lock(work_order)
    _move(work_order, S.DONE)
    zone = work_order.equipment.line.area.site.zone
    today = timezone.localdate(timezone=zone)
    check_certification(work_order=work_order, user=user, day=today)
    if work_order.lockout_required and work_order.lockout_confirmed_at is None:
        raise ValidationError(_("Isolate the equipment (locks and tags) before completing."))
    _check_isolation_cleared(work_order)
    _apply_results(work_order, results)
    _use_parts(work_order, user, parts_used)
    work_order.findings = findings or work_order.findings
    if labour_minutes is not None:
        work_order.labour_minutes = labour_minutes
    work_order.completed_at = timezone.now()
    work_order.completed_by = user
    work_order.return_reason = ""
    work_order.full_clean()
    work_order.save()
    if work_order.schedule_id:
        _schedule_done(work_order.schedule, today)
    return work_order


def _schedule_done(schedule: MaintenanceSchedule, today: datetime.date) -> None:
    schedule.last_done_on = today
    if schedule.interval_unit == IntervalUnit.METER:
        last = MeterReading.objects.filter(meter=schedule.meter).order_by("-taken_at").first()
        schedule.last_done_value = last.value if last else schedule.last_done_value
    MaintenanceSchedule.objects.filter(pk=schedule.pk).update(
        last_done_on=schedule.last_done_on, last_done_value=schedule.last_done_value
    )
    schedule_recompute(schedule=schedule, today=today)


@transaction.atomic
def work_order_verify(*, work_order: WorkOrder, user, password: str, meaning="reviewed"):
    """A supervisor signs the completed work; from then on it never changes."""
    if not user.has_perm("maintenance.verify_workorder"):
        raise PermissionDenied(_("Only a supervisor verifies work orders."))
    work_order = _lock(work_order)
    _move(work_order, S.VERIFIED)
    if work_order.completed_by_id == user.pk:
        raise ValidationError(_("Someone other than the person who did the work verifies it."))
    work_order.signature = signature_create(user=user, password=password, meaning=meaning)
    work_order.save()
    return work_order


@transaction.atomic
def work_order_send_back(*, work_order: WorkOrder, user, reason: str) -> WorkOrder:
    """Send completed work back to the technician, with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the work is sent back.")})
    work_order = _lock(work_order)
    if work_order.status != S.DONE:
        if work_order.is_locked:
            _move(work_order, S.IN_PROGRESS)  # refuses with RecordLocked, naming the status
        raise ValidationError(_("Only completed work is sent back."))
    if work_order.schedule_id:
        # One open order per schedule (a database rule): its next one may be out already.
        following = (
            WorkOrder.objects.filter(schedule_id=work_order.schedule_id, status__in=ACTIVE_STATUSES)
            .exclude(pk=work_order.pk)
            .first()
        )
        if following is not None:
            raise ValidationError(
                _(
                    "%(number)s, the next order of this schedule, is already open: raise a "
                    "corrective work order for what must be redone."
                )
                % {"number": following.number}
            )
    _move(work_order, S.IN_PROGRESS)
    work_order.return_reason = reason.strip()
    # More work on the machine: it is isolated again before anyone touches it.
    work_order.lockout_confirmed_at = work_order.lockout_confirmed_by = None
    work_order.startup_checked_at = work_order.startup_checked_by = None
    work_order.save()
    return work_order


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, user, reason: str) -> WorkOrder:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the work order is cancelled.")})
    work_order = _lock(work_order)
    _move(work_order, S.CANCELLED)
    on = work_order.isolation_points.filter(removed_at__isnull=True)
    if on.exists():
        raise ValidationError(
            _("Locks are still on the equipment (%(locks)s): remove them before cancelling.")
            % {"locks": ", ".join(on.values_list("lock_number", flat=True))}
        )
    work_order.cancel_reason = reason.strip()
    work_order.save()
    if work_order.schedule_id:
        schedule_recompute(schedule=work_order.schedule)
    return work_order


@transaction.atomic
def work_order_amend(*, work_order: WorkOrder, user, text: str, reason: str):
    """A correction to a verified order, kept beside it; the order itself does not change."""
    if not user.has_perm("maintenance.add_workorderamendment"):
        raise PermissionDenied(_("Only a supervisor amends a verified work order."))
    work_order = WorkOrder.objects.get(pk=work_order.pk)  # its status now, not as last read
    if work_order.status != S.VERIFIED:
        raise ValidationError(_("Only a verified work order is amended; edit this one instead."))
    amendment = WorkOrderAmendment(work_order=work_order, text=text, reason=reason, author=user)
    amendment.full_clean()
    amendment.save()
    return amendment
