"""Reads for the shift pages: the current shift of a line, and everything a shift page shows."""

from django.db.models import Q
from django.utils import timezone

from logbook.shifts import clock
from logbook.shifts.models import LogEntry, OpenItem, ProductionRecord, Shift, ShiftPattern


def current_slot_for_line(line, now=None):
    """Return (pattern, local date, the started Shift or None) running now on ``line``.

    None when no pattern of the line's site covers the present moment.
    """
    now = now or timezone.now()
    site = line.area.site
    patterns = list(ShiftPattern.objects.filter(site=site, active=True))
    slot = clock.current_slot(patterns, now, site.zone)
    if slot is None:
        return None
    pattern, day = slot
    shift = Shift.objects.filter(line=line, pattern=pattern, date=day).first()
    return pattern, day, shift


def shift_page(shift: Shift) -> dict:
    """Everything the shift page shows, in a fixed number of queries whatever its size."""
    entries = _mark_amended(
        LogEntry.objects.filter(shift=shift)
        .select_related("author", "equipment", "amends")
        .order_by("-occurred_at", "-pk")
    )
    production = _mark_amended(
        ProductionRecord.objects.filter(shift=shift)
        .select_related("recorded_by", "amends")
        .order_by("created_at", "pk")
    )
    # Items raised on earlier shifts of the line that were still open when this one began,
    # and the items raised on this shift.
    open_items = list(
        OpenItem.objects.filter(line=shift.line)
        .filter(
            Q(raised_on=shift)
            | Q(raised_on__starts_at__lt=shift.starts_at)
            & (Q(closed_at__isnull=True) | Q(closed_on=shift) | Q(closed_at__gt=shift.starts_at))
        )
        .select_related("raised_by", "raised_on__pattern", "closed_by")
        .order_by("created_at", "pk")
    )
    return {"entries": entries, "production": production, "open_items": open_items}


def _mark_amended(records) -> list:
    """The records, each with ``is_amended``: whether a later amendment replaced it."""
    records = list(records)
    replaced = {record.amends_id for record in records if record.amends_id}
    for record in records:
        record.is_amended = record.pk in replaced
    return records


def shifts_with_joins():
    return Shift.objects.with_status().select_related(
        "line__area__site", "pattern", "lead", "signature", "handover"
    )


def previous_shift(shift: Shift) -> Shift | None:
    """The shift of the same line that ended last before this one began."""
    return (
        Shift.objects.filter(line=shift.line, starts_at__lt=shift.starts_at)
        .select_related("handover__handed_over_by", "pattern")
        .order_by("-starts_at")
        .first()
    )


def shift_inspections(shift: Shift) -> list:
    """The inspections recorded in ``shift``, in the order they were made (page and report)."""
    inspections = shift.inspections.select_related("plan", "inspector", "signature")
    return list(inspections.order_by("inspected_at"))
