"""Demo machine signals: the last hours of one filler as its gateway posted them (runs,
micro-stops, a counter, an alarm), through the same ingest as a real gateway. Demo data only."""

import datetime

from django.utils import timezone

from logbook.equipment.models import Equipment, Site
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
    # The line's OPC UA server as a plant would map it (ingest_opcua reads this mapping).
    for kind, name in (("state", "State"), ("count", "GoodCount"), ("alarm", "ActiveAlarm")):
        OpcUaNode.objects.create(
            endpoint=f"opc.tcp://plc-{machine.line.code.lower()}.plant.local:4840",
            node_id=f"ns=2;s={machine.line.code}.{machine.asset_tag}.{name}",
            equipment=machine,
            kind=kind,
        )
