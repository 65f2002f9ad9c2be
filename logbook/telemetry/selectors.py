"""Reads of machine signals for the pages."""

import datetime

from django.utils import timezone

from logbook.telemetry.choices import MachineState
from logbook.telemetry.models import MachineLink

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
