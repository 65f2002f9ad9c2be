"""Writes on downtime incidents: opening, the restoration stages, closing, amending.

Pages, the admin and the API all call these, so the rules hold on every path: stages in order,
nothing in the future, one open incident per equipment, never two overlapping incidents of one
equipment, closed incidents changed only by amendment.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.core import idempotency
from logbook.core.exceptions import Conflict, RecordLocked
from logbook.downtime.choices import IncidentSource, ReasonKind
from logbook.downtime.models import CODING_LISTS, DowntimeIncident, ReasonCode
from logbook.equipment.models import Equipment

STAGES = ("responded_at", "repaired_at", "ended_at")
EDITABLE = (
    "started_at",
    "responded_at",
    "repaired_at",
    "ended_at",
    "reason",
    "symptom",
    "cause",
    "action_taken",
    "failure_mode",
    "failure_mechanism",
    "failure_cause",
    "detection_method",
    "photo",
)


def _lock_equipment(equipment: Equipment) -> None:
    """Serialise writes per equipment, so two overlapping incidents cannot slip in at once."""
    Equipment.objects.select_for_update().filter(pk=equipment.pk).first()


def check_overlap(incident: DowntimeIncident, ignore=()) -> None:
    others = (
        DowntimeIncident.objects.current()
        .filter(equipment_id=incident.equipment_id)
        .exclude(pk__in=[pk for pk in (incident.pk, *ignore) if pk])
        .order_by("started_at")
    )
    if incident.ended_at is None:
        # Still down: it collides with anything not over by the time it stopped.
        others = others.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=incident.started_at))
    else:
        others = others.overlapping(incident.started_at, incident.ended_at)
    other = others.first()
    if other is not None:
        zone = incident.equipment.line.area.site.zone
        until = (
            timezone.localtime(other.ended_at, zone).strftime("%Y-%m-%d %H:%M")
            if other.ended_at
            else _("still open")
        )
        # A second "machine down" for a machine already down is a conflict (someone reported
        # it first); other overlaps are times typed wrong.
        error = (
            Conflict
            if incident.pk is None and not (other.ended_at or incident.ended_at)
            else ValidationError
        )
        raise error(
            _(
                "%(tag)s was already down then: incident #%(pk)s from %(start)s to %(end)s. "
                "Incidents of one equipment cannot overlap."
            )
            % {
                "tag": incident.equipment.asset_tag,
                "pk": other.pk,
                "start": timezone.localtime(other.started_at, zone).strftime("%Y-%m-%d %H:%M"),
                "end": until,
            }
        )


def refuse_if_closed(incident: DowntimeIncident) -> None:
    if incident.closed_at is not None:
        raise RecordLocked(
            _("This incident was closed %(when)s: it cannot change. Add an amendment instead.")
            % {"when": timezone.localtime(incident.closed_at).strftime("%Y-%m-%d %H:%M")}
        )


def _save(incident: DowntimeIncident, ignore=()) -> DowntimeIncident:
    # The overlap first: its message names the other incident, the constraint's cannot.
    check_overlap(incident, ignore)
    incident.full_clean()
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError:
        raise Conflict(
            _("%(tag)s already has an open incident.") % {"tag": incident.equipment.asset_tag}
        ) from None
    return incident


@transaction.atomic
def incident_open(
    *,
    equipment,
    user,
    started_at=None,
    symptom="",
    reason=None,
    source=IncidentSource.MANUAL,
    **fields,
) -> DowntimeIncident:
    """Record that ``equipment`` stopped (now by default). It shows as down at once.

    ``fields`` may carry later stages and the classification, for a stop recorded afterwards
    or posted by a machine.
    """
    _lock_equipment(equipment)
    incident = DowntimeIncident(
        equipment=equipment,
        started_at=started_at or idempotency.happened_at(),
        symptom=symptom,
        reason=reason,
        reported_by=user,
        source=source,
        recorded_offline_at=idempotency.recorded_at(),
    )
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError({name: _("This field cannot be set here.")})
        setattr(incident, name, value)
    return _save(incident)


@transaction.atomic
def incident_stage(*, incident: DowntimeIncident, user, stage: str, at=None) -> DowntimeIncident:
    """One tap: technician on site, repair finished, or running again (now by default)."""
    if stage not in STAGES:
        raise ValidationError(_("Unknown stage."))
    _lock_equipment(incident.equipment)
    incident = DowntimeIncident.objects.select_related("equipment__line__area__site").get(
        pk=incident.pk
    )
    refuse_if_closed(incident)
    done = getattr(incident, stage)
    if done is not None and at is None:
        # The one-tap stage was tapped already (twice, or by two people): keep the first time.
        raise Conflict(
            _("%(stage)s was already recorded at %(when)s.")
            % {
                "stage": DowntimeIncident._meta.get_field(stage).verbose_name.capitalize(),
                "when": timezone.localtime(done, incident.equipment.line.area.site.zone).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        )
    setattr(incident, stage, at or idempotency.happened_at())
    return _save(incident)


@transaction.atomic
def incident_update(*, incident: DowntimeIncident, user, **fields) -> DowntimeIncident:
    _lock_equipment(incident.equipment)
    incident = DowntimeIncident.objects.select_related("equipment__line__area__site").get(
        pk=incident.pk
    )
    refuse_if_closed(incident)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(incident, name, value)
    return _save(incident)


def _classification_errors(incident) -> dict:
    errors = {}
    if incident.ended_at is None:
        errors["ended_at"] = _("The equipment must run again before the incident is closed.")
    if incident.reason_id is None:
        errors["reason"] = _("Choose a reason.")
    if not incident.cause.strip():
        errors["cause"] = _("Say what caused the stop.")
    if not incident.action_taken.strip():
        errors["action_taken"] = _("Say what was done.")
    if incident.reason_id and incident.reason.kind == ReasonKind.UNPLANNED:
        for name in CODING_LISTS:
            if getattr(incident, f"{name}_id") is None:
                errors[name] = _("A failure needs its coding.")
    return errors


@transaction.atomic
def incident_close(*, incident: DowntimeIncident, user, **fields) -> DowntimeIncident:
    """Classify and close: reason, cause and action; for a failure, its ISO 14224 coding too.

    A closed incident never changes again; a correction is an amendment.
    """
    incident = incident_update(incident=incident, user=user, **fields)
    errors = _classification_errors(incident)
    if errors:
        raise ValidationError(errors)
    incident.closed_at = timezone.now()
    incident.closed_by = user
    incident.save(update_fields=["closed_at", "closed_by"])
    return incident


@transaction.atomic
def incident_amend(*, original: DowntimeIncident, user, amend_reason: str, **fields):
    """Correct a closed incident: a new, closed version that points at the original."""
    _lock_equipment(original.equipment)
    original = DowntimeIncident.objects.select_related("equipment__line__area__site").get(
        pk=original.pk
    )
    if original.closed_at is None:
        raise ValidationError(_("Only a closed incident is amended; edit this one instead."))
    if DowntimeIncident.objects.filter(amends=original).exists():
        raise ValidationError(_("This incident was already amended: amend the latest version."))
    amendment = DowntimeIncident(
        equipment=original.equipment,
        reported_by=original.reported_by,
        source=original.source,
        amends=original,
        amend_reason=amend_reason,
    )
    for name in EDITABLE:
        setattr(amendment, name, fields.get(name, getattr(original, name)))
    errors = _classification_errors(amendment)
    if errors:
        raise ValidationError(errors)
    _save(amendment, ignore=(original.pk,))
    amendment.closed_at = timezone.now()
    amendment.closed_by = user
    amendment.save(update_fields=["closed_at", "closed_by"])
    return amendment


@transaction.atomic
def incidents_classify(*, incidents, user, reason: ReasonCode) -> int:
    """Give several stops the same reason at once: a supervisor's review of the unclassified
    stops of a shift or a day. Each is saved through ``incident_update`` (audited, overlap and
    lock rules kept); a closed one refuses the whole batch. Returns how many were classified."""
    if not user.has_perm("downtime.change_downtimeincident"):
        raise PermissionDenied(_("You may not classify downtime."))
    if not reason.active or reason.children.exists():
        raise ValidationError({"reason": _("Choose a reason, not a category.")})
    classified = 0
    for incident in incidents.order_by("pk"):
        incident_update(incident=incident, user=user, reason=reason)
        classified += 1
    if not classified:
        raise ValidationError(_("Tick the stops to classify."))
    return classified


@transaction.atomic
def machine_stop_withdrawn(*, incident: DowntimeIncident) -> bool:
    """Withdraw a machine-posted incident that later signals show was shorter than the
    threshold (the machine's "running" arrived after the stop was taken for a long one), if no
    person has touched it: nothing recorded on it but the machine's own times, nothing linked to
    it. Its history keeps that it existed. False (and nothing changes) otherwise."""
    _lock_equipment(incident.equipment)
    untouched = DowntimeIncident.objects.filter(
        pk=incident.pk,
        source=IncidentSource.MACHINE,
        started_at=F("machine_started_at"),
        closed_at__isnull=True,
        amended_by__isnull=True,
        reason__isnull=True,
        responded_at__isnull=True,
        repaired_at__isnull=True,
        symptom="",
        cause="",
        action_taken="",
        photo="",
        work_orders__isnull=True,
    ).filter(Q(ended_at__isnull=True) | Q(ended_at=F("machine_ended_at")))
    target = untouched.first()
    if target is None:
        return False
    try:
        with transaction.atomic():
            target.delete()
    except ProtectedError:
        return False
    return True


@transaction.atomic
def incident_from_machine(*, equipment, started_at, ended_at=None) -> DowntimeIncident:
    """A machine's own stop, long enough to be an incident: [started_at, ended_at), ended_at
    None while it lasts.

    Opens an unclassified machine-posted incident, or updates the one this stop already is (the
    same machine start, or an incident a person opened that overlaps it). The machine's times
    are always kept as such; the incident's own times follow them only where no person has set
    them (a person's time stays, beside the machine's). A closed incident never changes.
    """
    _lock_equipment(equipment)
    current = DowntimeIncident.objects.current().filter(equipment=equipment)
    incident = current.filter(machine_started_at=started_at).first()
    if incident is None:
        until = ended_at or timezone.now() + settings.CLOCK_SKEW
        incident = current.overlapping(started_at, until).order_by("started_at").first()
    if incident is None:
        incident = DowntimeIncident(
            equipment=equipment,
            started_at=started_at,
            ended_at=ended_at,
            machine_started_at=started_at,
            machine_ended_at=ended_at,
            source=IncidentSource.MACHINE,
            symptom="",
        )
        return _save(incident)
    if incident.closed_at is not None:
        return incident
    set_by_machine = incident.machine_started_at is not None
    if set_by_machine and incident.started_at == incident.machine_started_at:
        incident.started_at = started_at
    if ended_at is not None and (
        incident.ended_at is None or incident.ended_at == incident.machine_ended_at
    ):
        incident.ended_at = ended_at
    incident.machine_started_at, incident.machine_ended_at = started_at, ended_at
    try:
        with transaction.atomic():
            return _save(incident)
    except ValidationError:
        # The machine's times disagree with a person's (a repair typed after the machine ran
        # again): the person's stages stay; the machine's times are kept beside them.
        DowntimeIncident.objects.filter(pk=incident.pk).update(
            machine_started_at=started_at, machine_ended_at=ended_at
        )
        return DowntimeIncident.objects.get(pk=incident.pk)
