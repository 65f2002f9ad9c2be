"""Writes on shifts. Every page, the admin and the API go through these functions, so the rules
(signed records never change, who may edit what, handover before sign-off) hold on every path."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logbook.accounts.services import signature_create
from logbook.core import idempotency
from logbook.core.exceptions import Conflict, RecordLocked
from logbook.shifts.models import (
    Handover,
    HandoverAnswer,
    HandoverItem,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
)

NOTE_MAX = 2000  # a handover item's answer note

# A shift may be opened a little before its start, for the handover briefing.
EARLY_START = datetime.timedelta(hours=1)


def _locked(shift: Shift) -> RecordLocked:
    signature = shift.signature
    return RecordLocked(
        _(
            "This shift was signed off %(when)s by %(who)s: its records cannot change. "
            "Add an amendment instead."
        )
        % {
            "when": timezone.localtime(signature.signed_at, shift.site.zone).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "who": signature.signer_name,
        }
    )


def _lock_shift(shift: Shift) -> Shift:
    """Re-read the shift under a row lock: a sign-off and an edit cannot interleave."""
    return (
        # Lock only the shift row: PostgreSQL cannot lock the nullable side of the join.
        Shift.objects.select_for_update(of=("self",))
        .select_related("signature", "line__area__site")
        .get(pk=shift.pk)
    )


def _refuse_if_signed(shift: Shift) -> None:
    if shift.is_signed:
        raise _locked(shift)


def _check_owner(record, user, author_field: str) -> None:
    if getattr(record, f"{author_field}_id") != user.pk and not user.has_perm(
        "shifts.change_any_logentry"
    ):
        raise PermissionDenied(_("You can change only your own records of a shift."))


@transaction.atomic
def shift_start(*, line, pattern, date, user, lead=None) -> Shift:
    """Start (create) the shift of ``pattern`` on ``line`` for local ``date``.

    Two technicians tapping "start" at once get the same shift: the unique constraint decides,
    and the loser is given the winner's shift.
    """
    shift = Shift(line=line, pattern=pattern, date=date, lead=lead or user, started_by=user)
    # Uniqueness is left to the database: a second "start" of the same slot joins the first.
    shift.full_clean(
        exclude=["starts_at", "ends_at", "started_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    shift.compute_window()
    if shift.starts_at > timezone.now() + EARLY_START:
        raise ValidationError(
            _("This shift starts at %(when)s: it can be started from an hour before.")
            % {
                "when": timezone.localtime(shift.starts_at, line.area.site.zone).strftime(
                    "%Y-%m-%d %H:%M"
                )
            }
        )
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:
        return Shift.objects.get(line=line, pattern=pattern, date=date)
    return shift


@transaction.atomic
def shift_update(*, shift: Shift, user, lead) -> Shift:
    shift = _lock_shift(shift)
    _refuse_if_signed(shift)
    shift.lead = lead
    shift.clean()
    shift.save(update_fields=["lead"])
    return shift


@transaction.atomic
def log_entry_add(
    *,
    shift: Shift,
    user,
    text,
    category,
    occurred_at=None,
    equipment=None,
    amends=None,
    amend_reason="",
) -> LogEntry:
    """Add an entry. On a signed shift only an amendment (``amends`` + reason) or a late entry
    (a reason alone: what was logged on a tablet without a connection while the shift was
    signed off) is accepted. Both show as added after the sign-off; the signed records stay."""
    shift = _lock_shift(shift)
    if shift.is_signed and amends is None and not amend_reason.strip():
        raise _locked(shift)
    entry = LogEntry(
        shift=shift,
        author=user,
        text=text,
        category=category,
        equipment=equipment,
        amends=amends,
        amend_reason=amend_reason,
    )
    entry.recorded_offline_at = idempotency.recorded_at()
    if occurred_at is not None:
        entry.occurred_at = occurred_at
    elif amends is not None:
        entry.occurred_at = amends.occurred_at
    else:
        entry.occurred_at = idempotency.happened_at()
    _refuse_double_amendment(LogEntry, amends)
    entry.full_clean()
    entry.save()
    return entry


def _refuse_double_amendment(model, original) -> None:
    if original is not None and model.objects.filter(amends=original).exists():
        raise ValidationError(
            {"amends": _("This record was already amended: amend the latest version.")}
        )


def _record_update(record, user, author_field: str, fields: dict, editable):
    """Edit an entry or counts of an unsigned shift: their author, or a supervisor of the site."""
    _refuse_if_signed(_lock_shift(record.shift))
    _check_owner(record, user, author_field)
    for name in editable:
        if name in fields:
            setattr(record, name, fields[name])
    record.full_clean()
    record.save()
    return record


def _record_delete(record, user, author_field: str) -> None:
    _refuse_if_signed(_lock_shift(record.shift))
    _check_owner(record, user, author_field)
    if record.amends_id or type(record).objects.filter(amends=record).exists():
        raise ValidationError(_("An amendment and its original are kept together."))
    record.delete()


@transaction.atomic
def log_entry_update(*, entry: LogEntry, user, **fields) -> LogEntry:
    editable = ("text", "category", "occurred_at", "equipment")
    return _record_update(entry, user, "author", fields, editable)


@transaction.atomic
def log_entry_delete(*, entry: LogEntry, user) -> None:
    _record_delete(entry, user, "author")


@transaction.atomic
def production_record_add(*, shift: Shift, user, amends=None, amend_reason="", **counts):
    """Counts of a shift. With ``from_machine``, a product run: the line's counting machine
    counts the product from ``started_at`` (default now) until the next run or the shift's end,
    and produced and good follow it (``product_runs_refresh``)."""
    shift = _lock_shift(shift)
    if shift.is_signed and amends is None:
        raise _locked(shift)
    if counts.get("from_machine"):
        if amends is not None:
            raise ValidationError(
                _("An amendment states its counts; it does not follow a machine.")
            )
        _check_counting_machine(shift)
        counts.setdefault("started_at", None)
        counts["started_at"] = counts["started_at"] or max(
            idempotency.happened_at(), shift.starts_at
        )
        counts.setdefault("produced_count", 0)
        counts.setdefault("good_count", 0)
        counts["produced_count"] = counts["produced_count"] or 0
        counts["good_count"] = counts["good_count"] or 0
    record = ProductionRecord(
        shift=shift, recorded_by=user, amends=amends, amend_reason=amend_reason, **counts
    )
    _refuse_double_amendment(ProductionRecord, amends)
    record.full_clean()
    if record.started_at is not None:
        _refuse_same_start(record)
    record.save()
    if record.started_at is not None:
        product_runs_refresh(line_id=shift.line_id, shift_id=shift.pk)
        record.refresh_from_db()
    return record


COUNTS = (
    "product",
    "produced_count",
    "good_count",
    "ideal_cycle_time_s",
    "planned_stop_minutes",
    "started_at",
    "from_machine",
)


@transaction.atomic
def production_record_update(*, record: ProductionRecord, user, **counts) -> ProductionRecord:
    """Edit counts of an unsigned shift. Typing counts other than the machine's stops a run
    following the machine (its counts stay beside the typed ones)."""
    if counts.get("from_machine"):
        _check_counting_machine(record.shift)
    elif "from_machine" not in counts:
        stored = (
            ProductionRecord.objects.filter(pk=record.pk, from_machine=True)
            .values("produced_count", "good_count")
            .first()
        )
        if stored and any(
            counts.get(name) is not None and counts[name] != stored[name] for name in stored
        ):
            counts["from_machine"] = False
    record = _record_update(record, user, "recorded_by", counts, COUNTS)
    if record.started_at is not None:
        _refuse_same_start(record)
        product_runs_refresh(line_id=record.shift.line_id, shift_id=record.shift_id)
        record.refresh_from_db()
    return record


def _check_counting_machine(shift: Shift) -> None:
    if not shift.line.equipment.filter(counts_line_output=True).exists():
        raise ValidationError({"from_machine": _("No machine of this line counts its output.")})


def _refuse_same_start(record: ProductionRecord) -> None:
    others = ProductionRecord.objects.current().filter(
        shift_id=record.shift_id, started_at=record.started_at
    )
    if others.exclude(pk=record.pk).exists():
        raise ValidationError(
            {"started_at": _("Another product starts at the same time on this shift.")}
        )


def product_runs_refresh(*, line_id: int, since=None, shift_id=None) -> int:
    """Bring the product runs of the line's unsigned shifts (those still running at ``since``,
    or ``shift_id``'s) up to what its counting machines counted: each run from its start until
    the next run of the shift or the shift's end. The machine's figures are kept beside the
    typed ones; produced and good follow them while the run follows the machine. Called by the
    signal ingest after each batch of counts; no history row per refresh (the figures are
    derived from the stored per-minute counts), one at handover and sign-off
    (``_record_machine_counts``). Returns how many runs changed."""
    from logbook.telemetry.selectors import line_counted

    runs = ProductionRecord.objects.current().filter(
        shift__line_id=line_id, shift__signature__isnull=True, started_at__isnull=False
    )
    if shift_id is not None:
        runs = runs.filter(shift_id=shift_id)
    if since is not None:
        runs = runs.filter(shift__ends_at__gt=since)
    runs = list(runs.select_related("shift").order_by("shift_id", "started_at", "pk"))
    changed = 0
    for index, run in enumerate(runs):
        end = run.shift.ends_at
        following = runs[index + 1] if index + 1 < len(runs) else None
        if following is not None and following.shift_id == run.shift_id:
            end = following.started_at
        produced, good = line_counted(line_id, run.started_at, end)
        figures = {"machine_produced_count": produced, "machine_good_count": good}
        if run.from_machine:
            figures.update(produced_count=produced, good_count=good)
        if any(getattr(run, name) != value for name, value in figures.items()):
            ProductionRecord.objects.filter(pk=run.pk).update(**figures)
            changed += 1
    return changed


def _record_machine_counts(shift: Shift) -> None:
    """At handover and sign-off: the runs' machine counts as they stand, written to their
    history, so the audit trail holds the figures that were handed over and signed."""
    product_runs_refresh(line_id=shift.line_id, shift_id=shift.pk)
    for run in ProductionRecord.objects.current().filter(shift=shift, started_at__isnull=False):
        run._change_reason = _("Machine counts recorded")
        run.save()


@transaction.atomic
def production_record_delete(*, record: ProductionRecord, user) -> None:
    _record_delete(record, user, "recorded_by")


@transaction.atomic
def shift_hand_over(*, shift: Shift, user, summary: str = "", open_items=()) -> Handover:
    """Hand the shift over: what the records say (compiled, each item for the next shift to
    answer), what only a person knows (the summary), and open items that follow the line."""
    from logbook.reports.handover import compile_handover

    shift = _lock_shift(shift)
    _refuse_if_signed(shift)
    if Handover.objects.filter(shift=shift).exists():
        raise ValidationError(_("This shift was already handed over."))
    _record_machine_counts(shift)
    handover = Handover.objects.create(
        shift=shift,
        summary=(summary or "").strip(),
        handed_over_by=user,
        handed_over_at=idempotency.happened_at(),
    )
    for text in open_items:
        if text and text.strip():
            OpenItem.objects.create(
                line=shift.line, raised_on=shift, raised_by=user, text=text.strip()
            )
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(handover=handover, order=order, **item)
            for order, item in enumerate(compile_handover(shift), start=1)
        ]
    )
    return handover


def _check_incoming(handover: Handover, user) -> None:
    if handover.handed_over_by_id == user.pk:
        raise ValidationError(_("The incoming person acknowledges, not the one handing over."))


def _acknowledged_when_answered(handover: Handover, user) -> None:
    if handover.acknowledged_at is None and not handover.items.filter(answer="").exists():
        handover.acknowledged_by = user
        handover.acknowledged_at = timezone.now()
        handover.save(update_fields=["acknowledged_by", "acknowledged_at"])


@transaction.atomic
def handover_item_answer(*, item: HandoverItem, user, answer: str, note: str = "") -> HandoverItem:
    """The incoming technician answers one carried item: accepted, or a question (with a note),
    which stays on the line as an open item. The last answer acknowledges the handover."""
    item = (
        HandoverItem.objects.select_for_update().select_related("handover__shift").get(pk=item.pk)
    )
    handover = item.handover
    _refuse_if_signed(_lock_shift(handover.shift))
    _check_incoming(handover, user)
    if item.answered_at is not None:
        raise Conflict(
            _("Already answered by %(who)s.")
            % {"who": item.answered_by.get_full_name() or item.answered_by}
        )
    if answer not in HandoverAnswer.values:
        raise ValidationError({"answer": _("Answer accepted or question.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {
                "note": ngettext(
                    "Keep the note under %(n)s character.",
                    "Keep the note under %(n)s characters.",
                    NOTE_MAX,
                )
                % {"n": NOTE_MAX}
            }
        )
    if answer == HandoverAnswer.QUESTION:
        if not note:
            raise ValidationError({"note": _("Write the question.")})
        shift = handover.shift
        following = (
            Shift.objects.filter(line=shift.line, starts_at__gte=shift.ends_at)
            .order_by("starts_at")
            .first()
        )
        item.question_item = OpenItem.objects.create(
            line=shift.line,
            raised_on=following or shift,
            raised_by=user,
            text=_("Question on the handover of %(shift)s — %(item)s: %(note)s")
            % {"shift": shift, "item": item.text, "note": note},
        )
    item.answer, item.note = answer, note
    item.answered_by, item.answered_at = user, timezone.now()
    item.save()
    _acknowledged_when_answered(handover, user)
    return item


@transaction.atomic
def handover_acknowledge(*, shift: Shift, user) -> Handover:
    """The incoming technician has read the handover: their name and the time are kept."""
    shift = _lock_shift(shift)
    handover = Handover.objects.select_for_update().filter(shift=shift).first()
    if handover is None:
        raise ValidationError(_("There is no handover to acknowledge yet."))
    if handover.acknowledged_at is not None:
        raise ValidationError(
            _("Already acknowledged by %(who)s.")
            % {"who": handover.acknowledged_by.get_full_name() or handover.acknowledged_by}
        )
    _check_incoming(handover, user)
    # The items not answered one by one are accepted as they stand (each saved: audited).
    for item in handover.items.select_for_update().filter(answer=""):
        item.answer = HandoverAnswer.ACCEPTED
        item.answered_by, item.answered_at = user, timezone.now()
        item.save()
    handover.acknowledged_by = user
    handover.acknowledged_at = timezone.now()
    handover.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return handover


@transaction.atomic
def open_item_close(
    *, item: OpenItem, user, shift: Shift | None = None, note: str = ""
) -> OpenItem:
    """Close an open item, on the shift where it was dealt with."""
    item = OpenItem.objects.select_for_update().get(pk=item.pk)
    if item.closed_at is not None:
        raise ValidationError(_("This item is already closed."))
    if shift is not None:
        if shift.line_id != item.line_id:
            raise ValidationError(_("Close an item on a shift of its own line."))
        _refuse_if_signed(_lock_shift(shift))
    item.closed_on = shift
    item.closed_by = user
    item.closed_at = timezone.now()
    item.closing_note = note.strip()
    item.save()
    return item


def sign_off_too_early(shift: Shift, now=None) -> list[str]:
    """Why signing ``shift`` off now comes too early (empty when it may be signed).

    A sign-off closes the shift's records for good: it is for a shift that has ended and whose
    handover the next shift acknowledged. Before that the technicians are still writing it; a
    supervisor may sign anyway, giving the reason, which the signature keeps.
    """
    now = now or timezone.now()
    reasons = []
    if shift.ends_at > now:
        reasons.append(
            _("The shift runs until %(end)s.")
            % {"end": timezone.localtime(shift.ends_at, shift.site.zone).strftime("%H:%M")}
        )
    handover = Handover.objects.filter(shift=shift).first()
    if handover is not None and handover.acknowledged_at is None:
        reasons.append(_("The next shift has not acknowledged the handover yet."))
    return reasons


@transaction.atomic
def shift_sign_off(*, shift: Shift, user, password: str, meaning: str, reason: str = "") -> Shift:
    """Sign the shift off with an electronic signature; from then on its records never change.

    Only once it has ended and its handover was acknowledged, unless ``reason`` says why now.
    """
    shift = _lock_shift(shift)
    if not user.has_perm("shifts.sign_shift"):
        raise PermissionDenied(_("Only a supervisor signs shifts off."))
    _refuse_if_signed(shift)
    if not Handover.objects.filter(shift=shift).exists():
        raise ValidationError(_("Hand the shift over before signing it off."))
    if meaning not in ("reviewed", "approved"):
        raise ValidationError({"meaning": _("A shift sign-off means reviewed or approved.")})
    too_early = sign_off_too_early(shift)
    if too_early and not reason.strip():
        raise ValidationError(
            {"reason": [*too_early, _("Give the reason for signing it off now.")]}
        )
    _record_machine_counts(shift)
    shift.signature = signature_create(
        user=user, password=password, meaning=meaning, reason=reason if too_early else ""
    )
    shift.save(update_fields=["signature"])
    return shift
