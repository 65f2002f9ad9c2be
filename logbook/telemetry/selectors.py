"""Reads of machine signals for the pages."""

import datetime

from django.db.models import Count, Min, Sum
from django.utils import timezone

from logbook.telemetry.choices import MachineState
from logbook.telemetry.models import CountMinute, MachineLink

NO_SIGNAL = "no_signal"


def machine_signal(equipment, now=None) -> dict | None:
    """What the machine's signals say now: its state and since when, or "no signal" once it has
    been silent for its class's heartbeat; None for a machine that sends none."""
    link = MachineLink.objects.filter(equipment=equipment).first()
    if link is None:
        return None
    now = now or timezone.now()
    heartbeat = datetime.timedelta(seconds=equipment.equipment_class.heartbeat_seconds)
    silent = now - link.last_signal_at >= heartbeat
    return {
        "state": NO_SIGNAL if silent else link.state,
        "label": MachineState(link.state).label if not silent else None,
        "since": link.last_signal_at if silent else link.state_since,
        "last_signal_at": link.last_signal_at,
    }


def counting_line(line) -> bool:
    """Whether a machine of the line counts its output."""
    return line.equipment.filter(counts_line_output=True).exists()


def line_counted(line_id: int, start, end) -> tuple[int, int]:
    """(produced, good) by the line's counting machines in the minutes from ``start`` (to the
    minute) until ``end``: one aggregate."""
    counted = CountMinute.objects.filter(
        equipment__line_id=line_id,
        equipment__counts_line_output=True,
        minute__gte=start,
        minute__lt=end,
    ).aggregate(produced=Sum("produced"), rejected=Sum("rejected"))
    produced = counted["produced"] or 0
    return produced, produced - (counted["rejected"] or 0)


def machine_count(shift) -> dict | None:
    """What the line's counting machines counted during the shift, beside what was typed:
    {"produced", "good", "rejected", "typed_produced", "typed_good"}; None when no machine of
    the line counts its output (two aggregates)."""
    from logbook.shifts.models import ProductionRecord

    counted = CountMinute.objects.filter(
        equipment__line_id=shift.line_id,
        equipment__counts_line_output=True,
        minute__gte=shift.starts_at,
        minute__lt=shift.ends_at,
    ).aggregate(produced=Sum("produced"), rejected=Sum("rejected"), minutes=Count("pk"))
    if not counted["minutes"]:
        return None
    typed = (
        ProductionRecord.objects.filter(shift=shift)
        .current()
        .aggregate(
            produced=Sum("produced_count"),
            good=Sum("good_count"),
            first_run=Min("started_at"),
        )
    )
    produced, rejected = counted["produced"] or 0, counted["rejected"] or 0
    unassigned = None
    if typed["first_run"] is not None:
        unassigned = line_counted(shift.line_id, shift.starts_at, typed["first_run"])[0]
    return {
        "produced": produced,
        "rejected": rejected,
        "good": produced - rejected,
        "typed_produced": typed["produced"],
        "typed_good": typed["good"],
        "difference": None if typed["produced"] is None else typed["produced"] - produced,
        # Counted before the shift's first product run: in no production record.
        "unassigned": unassigned,
    }
