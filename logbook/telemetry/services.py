"""Signals in: the one function every way in calls (HTTP, MQTT, OPC UA, the simulator).

``ingest`` stores a batch exactly once and applies it:
- ``state``: the machine's stops are read again from its stored states, from the last time it
  was running before the earliest new signal, so a signal repeated or arriving late (up to the
  horizon) lands in the right place. A stop at least as long as its class's threshold is a
  machine-posted downtime incident (``downtime.services.incident_from_machine``); a shorter one
  that has ended is a micro-stop; one still shorter and still lasting waits
  (``open_lasting_stops`` opens it once it is long enough).
- ``alarm``: an equipment event (the machine's page, ``/api/equipment-events/``), linked to the
  incident it falls in.
- ``count``: a counter's readings (total, good, reject), rolled up per minute into what the
  machine made and rejected (``CountMinute``), counter resets included.
Each signal answers stored, duplicate or rejected with the reason; a rejected one is counted
in ``RejectedSignal`` and never stops the rest of the batch.
"""

import datetime
import itertools
import json
import logging
import queue
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from logbook.core.exceptions import Conflict
from logbook.downtime.models import DowntimeIncident
from logbook.downtime.services import incident_from_machine, machine_stop_withdrawn
from logbook.equipment.models import Equipment, EquipmentEvent
from logbook.shifts.services import product_runs_refresh
from logbook.telemetry.choices import MachineState, Outcome, SignalKind
from logbook.telemetry.models import (
    CountMinute,
    MachineLink,
    MicroStop,
    RejectedSignal,
    Signal,
    SilentPeriod,
)

logger = logging.getLogger(__name__)

MAX_BATCH = 1000
SIGNAL_SOURCE = "signal"
COUNTERS = ("total", "good", "reject")


@dataclass
class Received:
    equipment: Equipment
    kind: str
    at: datetime.datetime
    value: str
    event_id: str = ""
    text: str = ""

    @property
    def key(self):
        return (self.equipment.pk, self.kind, self.at, self.value)


def fresh_connection() -> None:
    """For the ingest loops, which run for weeks: drop a database connection that broke or
    outlived CONN_MAX_AGE before the next batch, as Django does between requests (not inside a
    transaction, which the connection still serves)."""
    if not connection.in_atomic_block:
        close_old_connections()


def take_batch(arrived: queue.Queue, seconds: float, batch=None) -> list:
    """For the ingest loops: what arrives within ``seconds`` (at most a batch), after
    ``batch`` (what is kept from the last pass)."""
    batch = list(batch or [])
    deadline = time.monotonic() + seconds
    while len(batch) < MAX_BATCH:
        try:
            batch.append(arrived.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            break
    return batch


def horizon() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.SIGNAL_HORIZON_HOURS)


def _text(value, limit) -> str | None:
    return value if isinstance(value, str) and value.strip() and len(value) <= limit else None


def _value(kind: str, value) -> tuple[str, str] | str:
    """(stored value, alarm text) of a signal's value, or why it is refused."""
    if kind == SignalKind.STATE:
        if value not in MachineState.values:
            return _("A state is one of: %(states)s.") % {"states": ", ".join(MachineState.values)}
        return value, ""
    if kind == SignalKind.COUNT:
        if type(value) is int:
            value = {"total": value}
        if (
            not isinstance(value, dict)
            or not value
            or any(key not in COUNTERS or type(n) is not int or n < 0 for key, n in value.items())
        ):
            return _(
                "A count is a whole number (the counter's total) or an object of whole "
                "numbers named total, good, reject."
            )
        return json.dumps(value, sort_keys=True, separators=(",", ":")), ""
    if isinstance(value, str):
        value = {"code": value}
    code = _text(value.get("code"), 60) if isinstance(value, dict) else None
    text = value.get("text", "") if isinstance(value, dict) else None
    if code is None or not isinstance(text, str) or len(text) > 200:
        return _("An alarm is a code (at most 60 characters) or {code, text}.")
    return code, text


def _parse(raw, equipment: dict, now: datetime.datetime) -> Received | str:
    """One posted signal checked, or the reason it is refused."""
    if not isinstance(raw, dict):
        return _("A signal is an object with asset_tag, at, kind and value.")
    tag = raw.get("asset_tag")
    if not isinstance(tag, str) or tag not in equipment:
        return _("Unknown asset tag for this gateway's site: %(tag)s.") % {"tag": str(tag)[:40]}
    at = raw.get("at")
    try:
        at = parse_datetime(at) if isinstance(at, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return _("“at” is a date and time in ISO 8601 with its UTC offset.")
    if at > now + settings.CLOCK_SKEW:
        return _("“at” is in the future: check the gateway's clock.")
    if at < now - horizon():
        return _("Older than the %(hours)s-hour horizon for late signals.") % {
            "hours": settings.SIGNAL_HORIZON_HOURS
        }
    kind = raw.get("kind")
    if kind not in SignalKind.values:
        return _("“kind” is one of: %(kinds)s.") % {"kinds": ", ".join(SignalKind.values)}
    event_id = raw.get("id", "")
    if event_id is None:
        event_id = ""
    if not isinstance(event_id, str) or len(event_id) > 100:
        return _("“id” is the gateway's event id: text of at most 100 characters.")
    checked = _value(kind, raw.get("value"))
    if isinstance(checked, str):
        return checked
    value, text = checked
    return Received(equipment[tag], kind, at, value, event_id, text)


def _payload(raw) -> str:
    try:
        return json.dumps(raw, default=str)[:1000]
    except (TypeError, ValueError):
        return repr(raw)[:1000]


def ingest(*, site, items: list, gateway=None, now=None) -> list[dict]:
    """Store and apply a batch of signals for ``site``'s machines; one result per item, in
    order: ``{"index", "outcome": stored|duplicate|rejected, "reason"?}``. At most
    ``MAX_BATCH`` signals (every way in cuts its batches so)."""
    if len(items) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} signals in one batch.")
    now = now or timezone.now()
    tags = {raw.get("asset_tag") for raw in items if isinstance(raw, dict)}
    equipment = {
        machine.asset_tag: machine
        for machine in Equipment.objects.filter(
            asset_tag__in=[tag for tag in tags if isinstance(tag, str)], line__area__site=site
        ).select_related("equipment_class", "line__area__site")
    }
    results, rejected, received = [], [], []
    for index, raw in enumerate(items):
        item = _parse(raw, equipment, now)
        if isinstance(item, str):
            results.append({"index": index, "outcome": Outcome.REJECTED, "reason": item})
            rejected.append(
                RejectedSignal(
                    gateway=gateway, received_at=now, reason=item[:200], payload=_payload(raw)
                )
            )
        else:
            results.append({"index": index, "outcome": Outcome.STORED})
            received.append((index, item))
    with transaction.atomic():
        # The batch's machines first, in one order: a sweep in another process skips them
        # (it waited on their per-machine rows while this batch, at its commit, waited on the
        # machine rows the sweep held for its foreign keys: a deadlock on PostgreSQL). "No key"
        # update locks leave other batches' foreign-key checks free.
        machines = sorted({item.equipment.pk for _, item in received})
        list(
            Equipment.objects.select_for_update(no_key=True)
            .filter(pk__in=machines)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Under the machines' lock: two processes posting the same signal at once answer
        # "stored" once and "duplicate" once.
        new = _drop_duplicates(received, results, gateway)
        Signal.objects.bulk_create(
            [
                Signal(
                    equipment=item.equipment,
                    kind=item.kind,
                    at=item.at,
                    value=item.value,
                    event_id=item.event_id,
                    gateway=gateway,
                    received_at=now,
                )
                for item in new
            ],
            ignore_conflicts=True,
        )
        RejectedSignal.objects.bulk_create(rejected)
        _apply(new, now)
        if gateway is not None:
            type(gateway).objects.filter(pk=gateway.pk).update(last_seen_at=now)
    # Apart from the batch's transaction, and skipping machines another process holds: ten
    # gateways each sweeping in their own batch's transaction locked each other's machines.
    open_lasting_stops(now)
    if rejected:
        logger.warning("%s of %s signals rejected", len(rejected), len(items))
    return results


def _drop_duplicates(received, results, gateway) -> list[Received]:
    """The received signals not stored before (nor twice in the batch); the others are marked
    duplicate in ``results``."""
    if not received:
        return []
    items = [item for _, item in received]
    stored = set(
        Signal.objects.filter(
            equipment_id__in={item.equipment.pk for item in items},
            at__in={item.at for item in items},
        ).values_list("equipment_id", "kind", "at", "value")
    )
    events = set()
    if gateway is not None:
        events = set(
            Signal.objects.filter(
                gateway=gateway, event_id__in={item.event_id for item in items if item.event_id}
            ).values_list("event_id", flat=True)
        )
    new = []
    for index, item in received:
        if item.key in stored or (item.event_id and item.event_id in events):
            results[index]["outcome"] = Outcome.DUPLICATE
            continue
        stored.add(item.key)
        if item.event_id:
            events.add(item.event_id)
        new.append(item)
    return new


def _record_silences(new: list[Received]) -> None:
    """The machines' silent periods (no signal for at least their heartbeat), made to agree
    with the new signals: a gap since the last signal before the batch and gaps among the new
    ones; where signals arrive late, the gaps around them are read again from the stored
    signals (a late one may split a silence, or open one before the first). One query for the
    batch, three more per machine with late signals. The new signals are stored already."""
    times: dict[int, set] = {}
    beats = {}
    for item in new:
        times.setdefault(item.equipment.pk, set()).add(item.at)
        beats[item.equipment.pk] = datetime.timedelta(
            seconds=item.equipment.equipment_class.heartbeat_seconds
        )
    last = dict(MachineLink.objects.filter(pk__in=times).values_list("pk", "last_signal_at"))
    add = []
    for pk, moments in sorted(times.items()):
        beat, before = beats[pk], last.get(pk)
        late = sorted(at for at in moments if before is not None and at <= before)
        if late:
            mine = Signal.objects.filter(equipment_id=pk)
            low = mine.filter(at__lt=late[0]).order_by("-at").values_list("at", flat=True)
            high = mine.filter(at__gt=late[-1]).order_by("at").values_list("at", flat=True)
            low, high = low.first() or late[0], high.first() or late[-1]
            stored = mine.filter(at__gte=low, at__lte=high).values_list("at", flat=True)
            SilentPeriod.objects.filter(
                equipment_id=pk, started_at__gte=low, ended_at__lte=high
            ).delete()
            add += _gaps(pk, sorted(set(stored)), beat)
        in_order = sorted(moments - set(late))
        add += _gaps(pk, ([before] if before is not None else []) + in_order, beat)
    SilentPeriod.objects.bulk_create(add, ignore_conflicts=True)


def _gaps(pk, moments: list, beat) -> list:
    return [
        SilentPeriod(equipment_id=pk, started_at=a, ended_at=b)
        for a, b in itertools.pairwise(moments)
        if b - a >= beat
    ]


def _apply(new: list[Received], now) -> None:
    _record_silences(new)
    earliest, latest, machines = {}, {}, {}
    for item in new:
        pk = item.equipment.pk
        latest[pk] = max(latest.get(pk, item.at), item.at)
        if item.kind == SignalKind.STATE:
            earliest[pk] = min(earliest.get(pk, item.at), item.at)
            machines[pk] = item.equipment
    for pk, at in sorted(earliest.items()):  # machines locked in one order: no deadlock
        apply_states(machines[pk], at, now)
    counted, lines = {}, {}
    for item in new:
        if item.kind == SignalKind.COUNT:
            pk = item.equipment.pk
            counted[pk] = min(counted.get(pk, item.at), item.at)
            if item.equipment.counts_line_output:
                line = item.equipment.line_id
                lines[line] = min(lines.get(line, item.at), item.at)
    for pk, at in sorted(counted.items()):
        roll_up_counts(pk, at)
    for line, at in sorted(lines.items()):
        # The line's output: the products running on its shifts count it.
        product_runs_refresh(line_id=line, since=at)
    EquipmentEvent.objects.bulk_create(
        [
            EquipmentEvent(
                equipment=item.equipment,
                occurred_at=item.at,
                code=item.value,
                message=item.text,
                source=SIGNAL_SOURCE,
                incident=_incident_at(item.equipment, item.at),
            )
            for item in new
            if item.kind == SignalKind.ALARM
        ],
        ignore_conflicts=True,
    )
    # A machine that sends only counters or alarms has a heartbeat too (its state unknown).
    MachineLink.objects.bulk_create(
        [
            MachineLink(equipment_id=pk, state="", state_since=at, last_signal_at=at)
            for pk, at in sorted(latest.items())
            if pk not in machines
        ],
        ignore_conflicts=True,
    )
    for pk, at in sorted(latest.items()):
        # The heartbeat: the latest signal of any kind (a late one does not move it back).
        MachineLink.objects.filter(pk=pk, last_signal_at__lt=at).update(last_signal_at=at)


def _minute(at: datetime.datetime) -> datetime.datetime:
    return at.replace(second=0, microsecond=0)


def _made(before: dict, after: dict) -> tuple[int, int]:
    """(produced, rejected) between two readings of a counter; a counter that went back was
    reset, and counts again from zero."""

    def step(name):
        old, new = before.get(name), after.get(name)
        if new is None:
            return 0
        return new - old if old is not None and new >= old else new

    produced = step("total") if "total" in after else step("good") + step("reject")
    return produced, step("reject")


def roll_up_counts(equipment_id: int, since: datetime.datetime) -> None:
    """Compute again the per-minute counts of a machine from the first minute a new reading
    (at ``since`` or later) touches: the differences between consecutive readings, each
    counted in the minute of the later one. A reading arriving late lands in its place."""
    start = _minute(since)  # whole minutes are computed again
    readings = Signal.objects.filter(equipment_id=equipment_id, kind=SignalKind.COUNT)
    before = readings.filter(at__lt=start).order_by("-at", "-pk").values_list("at", "value").first()
    rows = list(readings.filter(at__gte=start).order_by("at", "pk").values_list("at", "value"))
    minutes = {}
    previous = json.loads(before[1]) if before else None
    for at, value in rows:
        reading = json.loads(value)
        if previous is not None:
            produced, rejected = _made(previous, reading)
            total = minutes.setdefault(_minute(at), [0, 0])
            total[0] += produced
            total[1] += rejected
        previous = reading
    if not rows:
        return
    CountMinute.objects.filter(equipment_id=equipment_id, minute__gte=start).delete()
    CountMinute.objects.bulk_create(
        CountMinute(equipment_id=equipment_id, minute=minute, produced=made, rejected=bad)
        for minute, (made, bad) in minutes.items()
    )


def _incident_at(machine, at):
    return (
        DowntimeIncident.objects.current()
        .filter(equipment=machine, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at))
        .first()
    )


def _stops(rows) -> list[list]:
    """[start, end or None] of each stop in time-ordered (at, state) rows."""
    stops = []
    for at, value in rows:
        if value == MachineState.RUNNING:
            if stops and stops[-1][1] is None:
                stops[-1][1] = at
        elif not stops or stops[-1][1] is not None:
            stops.append([at, None])
    return stops


@transaction.atomic
def apply_states(machine: Equipment, since: datetime.datetime, now, *, wait=True) -> bool:
    """Read ``machine``'s stops again from its stored states, from the last time it ran before
    ``since``, and make incidents and micro-stops agree with them. With ``wait`` false, a
    machine another process is applying is left to it (False)."""
    # One process at a time per machine (several ingest processes on one PostgreSQL).
    locked = Equipment.objects.select_for_update(skip_locked=not wait, no_key=True).filter(
        pk=machine.pk
    )
    if locked.first() is None:
        return False
    states = Signal.objects.filter(equipment=machine, kind=SignalKind.STATE)
    ran = (
        states.filter(at__lt=since, value=MachineState.RUNNING)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if ran is not None:
        states = states.filter(at__gte=ran)
    rows = list(states.order_by("at", "pk").values_list("at", "value"))
    if not rows:
        return True
    threshold = datetime.timedelta(seconds=machine.equipment_class.min_stop_seconds)
    known = set(
        DowntimeIncident.objects.filter(
            equipment=machine, machine_started_at__gte=rows[0][0]
        ).values_list("machine_started_at", flat=True)
    )
    micro, pending = [], False
    for started, ended in _stops(rows):
        if (ended or now) - started < threshold:
            if ended is None:
                pending = True
                continue
            if started not in known or _withdrawn(machine, started):
                micro.append((started, ended))
                continue
        try:
            incident = incident_from_machine(equipment=machine, started_at=started, ended_at=ended)
        except (ValidationError, Conflict) as error:
            logger.warning("stop of %s at %s not recorded: %s", machine.asset_tag, started, error)
            continue
        EquipmentEvent.objects.filter(
            equipment=machine,
            incident__isnull=True,
            occurred_at__gte=started,
            occurred_at__lte=ended or now,
        ).update(incident=incident)
    # The window's micro-stops are what its states say now (a late signal may split or join).
    MicroStop.objects.filter(equipment=machine, started_at__gte=rows[0][0]).exclude(
        started_at__in=[started for started, _ in micro]
    ).delete()
    for started, ended in micro:
        MicroStop.objects.update_or_create(
            equipment=machine, started_at=started, defaults={"ended_at": ended}
        )
    last_at, state = rows[-1]
    stops = _stops(rows)
    if state != MachineState.RUNNING:
        since_at = stops[-1][0]
    else:
        since_at = stops[-1][1] if stops else rows[0][0]
    MachineLink.objects.update_or_create(
        equipment=machine,
        defaults={"state": state, "state_since": since_at, "stop_pending": pending},
        create_defaults={
            "state": state,
            "state_since": since_at,
            "stop_pending": pending,
            "last_signal_at": last_at,
        },
    )
    return True


def _withdrawn(machine, started) -> bool:
    """Whether the incident opened for a stop that turned out short could be withdrawn."""
    incident = DowntimeIncident.objects.filter(
        equipment=machine, machine_started_at=started
    ).first()
    return incident is not None and machine_stop_withdrawn(incident=incident)


def open_lasting_stops(now=None) -> int:
    """Open the incidents of the stops that have now lasted their threshold (the machine sends
    nothing while it stands still): called after every batch, and by the ingest loops."""
    now = now or timezone.now()
    opened = 0
    waiting = MachineLink.objects.filter(stop_pending=True).select_related(
        "equipment__equipment_class", "equipment__line__area__site"
    )
    for link in waiting:
        threshold = datetime.timedelta(seconds=link.equipment.equipment_class.min_stop_seconds)
        if now - link.state_since >= threshold:
            opened += apply_states(link.equipment, link.state_since, now, wait=False)
    return opened


def prune_signals(before: datetime.datetime) -> int:
    """Delete the raw signals taken before ``before``, but what the next ones are read against:
    for each machine, its states from the last time it was running before then (a stop that
    began earlier keeps its start) and its last counter reading before then (the next reading's
    difference). The incidents, micro-stops, events and per-minute counts stay. Returns how many
    were deleted."""
    if before > timezone.now() - horizon():
        raise ValueError("Raw signals are kept at least as long as late ones are taken.")
    deleted = 0
    machines = Signal.objects.filter(at__lt=before).values_list("equipment_id", flat=True)
    for machine in machines.distinct().order_by("equipment_id"):
        mine = Signal.objects.filter(equipment_id=machine, at__lt=before)
        keep = []
        ran = (
            mine.filter(kind=SignalKind.STATE, value=MachineState.RUNNING)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        states = mine.filter(kind=SignalKind.STATE)
        if ran is None:
            keep += list(states.values_list("pk", flat=True))
        else:
            keep += list(states.filter(at__gte=ran).values_list("pk", flat=True))
        last_count = mine.filter(kind=SignalKind.COUNT).order_by("-at", "-pk").first()
        if last_count is not None:
            keep.append(last_count.pk)
        deleted += mine.exclude(pk__in=keep).delete()[0]
    return deleted
