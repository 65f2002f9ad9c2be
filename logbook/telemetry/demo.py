"""Demo machine signals: the last hours of one filler as its gateway posted them (runs,
micro-stops, a counter, an alarm), through the same ingest as a real gateway. Demo data only."""

import datetime
from decimal import Decimal

from django.utils import timezone

from logbook.equipment.models import Equipment, Site
from logbook.shifts.models import ProductionRecord, Shift
from logbook.shifts.services import production_record_add
from logbook.telemetry.models import Gateway, OpcUaNode
from logbook.telemetry.services import ingest

# (minutes ago, kind, value): a run with three micro-stops and a warning.
TIMELINE = [
    (100, "state", "running"),
    (100, "count", {"total": 41200, "reject": 310}),
    (80, "state", "stopped"),
    (79.25, "state", "running"),
    (70, "count", {"total": 44950, "reject": 331}),
    (61, "alarm", {"code": "W210", "text": "Low bottle buffer at infeed"}),
    (60, "state", "stopped"),
    (58.8, "state", "running"),
    (40, "state", "fault"),
    (39.5, "state", "running"),
    (40, "count", {"total": 48700, "reject": 352}),
    (10, "count", {"total": 52390, "reject": 371}),
]
# The gateway repeats the state every 4 minutes (within the 5-minute heartbeat) while running,
# but lost its network from 32 to 16 minutes ago: a silent period.
STOPS = [(80, 79.25), (60, 58.8), (40, 39.5)]
TIMELINE += [
    (minutes, "state", "running")
    for minutes in range(96, 0, -4)
    if not any(end <= minutes <= start for start, end in STOPS) and not 16 < minutes < 32
]


def load(data, stdout):
    if Gateway.objects.exists():
        stdout.write("machine signals: already there")
        return
    site = Site.objects.order_by("code").first()
    machine = (
        Equipment.objects.filter(
            line__area__site=site, parent__isnull=True, name__icontains="filler"
        )
        .order_by("asset_tag")
        .first()
    )
    if machine is None:
        return
    # The filler's counter is the line's output: its counts show on each shift.
    Equipment.objects.filter(pk=machine.pk).update(counts_line_output=True)
    gateway, _key = Gateway.issue(site=site, name=f"{machine.line.code} PLC bridge (demo)")
    now = timezone.now()
    results = ingest(
        site=site,
        gateway=gateway,
        now=now,
        items=[
            {
                "asset_tag": machine.asset_tag,
                "at": (now - datetime.timedelta(minutes=minutes)).isoformat(),
                "kind": kind,
                "value": value,
            }
            for minutes, kind, value in TIMELINE
        ],
    )
    stdout.write(f"machine signals: {len(results)} posted for {machine.asset_tag}")
    _product_running(machine, now - datetime.timedelta(minutes=100), now)
    # The line's OPC UA server as a plant would map it (ingest_opcua reads this mapping).
    for kind, name in (("state", "State"), ("count", "GoodCount"), ("alarm", "ActiveAlarm")):
        OpcUaNode.objects.create(
            endpoint=f"opc.tcp://plc-{machine.line.code.lower()}.plant.local:4840",
            node_id=f"ns=2;s={machine.line.code}.{machine.asset_tag}.{name}",
            equipment=machine,
            kind=kind,
        )


def _product_running(machine, since, now) -> None:
    """The shift running now on the filler's line counts its product from the machine (when
    nobody typed counts on it yet): the line's last product, from when the signals start."""
    shift = (
        Shift.objects.filter(
            line=machine.line, starts_at__lte=now, ends_at__gt=now, signature__isnull=True
        )
        .select_related("started_by")
        .first()
    )
    if shift is None or ProductionRecord.objects.filter(shift=shift).exists():
        return
    last = ProductionRecord.objects.filter(shift__line=machine.line).order_by("-created_at").first()
    production_record_add(
        shift=shift,
        user=shift.lead or shift.started_by,
        product=last.product if last else "Water 0.5 l",
        ideal_cycle_time_s=last.ideal_cycle_time_s if last else Decimal("0.4"),
        started_at=max(shift.starts_at, since),
        from_machine=True,
    )
