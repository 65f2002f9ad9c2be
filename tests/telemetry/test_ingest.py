"""Machine signals in: stops become incidents or micro-stops, exactly once and in order
whatever the order and repetition they arrive in; bad signals are refused with a reason."""

import datetime
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logbook.downtime.choices import IncidentSource
from logbook.downtime.models import DowntimeIncident
from logbook.downtime.services import incident_close, incident_open, incident_stage
from logbook.equipment.models import EquipmentEvent
from logbook.telemetry.models import MachineLink, MicroStop, RejectedSignal, Signal
from logbook.telemetry.services import ingest, open_lasting_stops
from tests.factories import EquipmentFactory

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def t0():
    """An hour ago, on the minute: the machines' times lie between it and now."""
    now = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    return now - datetime.timedelta(hours=1)


def state(machine, at, value):
    return {"asset_tag": machine.asset_tag, "at": at.isoformat(), "kind": "state", "value": value}


def post(site, *items, now=None):
    return [result["outcome"] for result in ingest(site=site, items=list(items), now=now)]


def stops_of(machine):
    incidents = DowntimeIncident.objects.filter(equipment=machine).order_by("started_at")
    micro = MicroStop.objects.filter(equipment=machine).order_by("started_at")
    return (
        list(incidents.values_list("machine_started_at", "machine_ended_at")),
        list(micro.values_list("started_at", "ended_at")),
    )


def test_a_long_stop_opens_an_unclassified_machine_incident_and_running_ends_it(site, filler, t0):
    post(site, state(filler, t0, "running"), state(filler, t0 + 5 * MINUTE, "fault"))
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.source == IncidentSource.MACHINE and incident.reason is None
    assert incident.started_at == incident.machine_started_at == t0 + 5 * MINUTE
    assert incident.ended_at is None

    post(site, state(filler, t0 + 17 * MINUTE, "running"))
    incident.refresh_from_db()
    assert incident.ended_at == incident.machine_ended_at == t0 + 17 * MINUTE
    assert MicroStop.objects.count() == 0
    link = MachineLink.objects.get(equipment=filler)
    assert (link.state, link.state_since) == ("running", t0 + 17 * MINUTE)


def test_a_stop_shorter_than_the_class_threshold_is_a_micro_stop(site, filler, t0):
    post(
        site,
        state(filler, t0, "running"),
        state(filler, t0 + MINUTE, "stopped"),
        state(filler, t0 + MINUTE + datetime.timedelta(seconds=90), "running"),
    )
    assert stops_of(filler) == ([], [(t0 + MINUTE, t0 + MINUTE + datetime.timedelta(seconds=90))])

    # The threshold is the class's: at 60 s the same stop is an incident.
    filler.equipment_class.min_stop_seconds = 60
    filler.equipment_class.save()
    post(
        site, state(filler, t0 + 10 * MINUTE, "stopped"), state(filler, t0 + 12 * MINUTE, "running")
    )
    assert stops_of(filler)[0] == [(t0 + 10 * MINUTE, t0 + 12 * MINUTE)]


def test_a_stop_that_lasts_opens_its_incident_once_it_reaches_the_threshold(site, filler, t0):
    stopped = t0 + 50 * MINUTE
    post(site, state(filler, stopped, "stopped"), now=stopped + MINUTE)
    assert not DowntimeIncident.objects.exists()
    assert MachineLink.objects.get(equipment=filler).stop_pending

    assert open_lasting_stops(now=stopped + 2 * MINUTE) == 1
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.machine_started_at == stopped and incident.ended_at is None
    assert not MachineLink.objects.get(equipment=filler).stop_pending
    assert open_lasting_stops(now=stopped + 3 * MINUTE) == 0


def test_the_same_signals_twice_are_stored_once(site, filler, t0):
    batch = [
        state(filler, t0, "running"),
        state(filler, t0 + MINUTE, "stopped"),
        state(filler, t0 + 9 * MINUTE, "running"),
        {
            "asset_tag": filler.asset_tag,
            "at": (t0 + 2 * MINUTE).isoformat(),
            "kind": "alarm",
            "value": {"code": "E042", "text": "Bottle jam at infeed"},
        },
    ]
    assert post(site, *batch) == ["stored"] * 4
    assert post(site, *batch, batch[1]) == ["duplicate"] * 5
    assert Signal.objects.count() == 4
    assert DowntimeIncident.objects.count() == 1 and EquipmentEvent.objects.count() == 1


def test_a_gateway_event_id_seen_before_is_a_duplicate(site, filler, t0):
    from logbook.telemetry.models import Gateway

    gateway, _ = Gateway.issue(site=site, name="PLC bridge")
    first = {**state(filler, t0, "running"), "id": "evt-1"}
    again = {**state(filler, t0 + MINUTE, "running"), "id": "evt-1"}
    results = ingest(site=site, gateway=gateway, items=[first, again])
    assert [r["outcome"] for r in results] == ["stored", "duplicate"]
    gateway.refresh_from_db()
    assert gateway.last_seen_at is not None


def test_a_late_running_signal_splits_a_stop_in_the_right_place(site, filler, t0):
    post(site, state(filler, t0, "running"), state(filler, t0 + 5 * MINUTE, "stopped"))
    post(
        site, state(filler, t0 + 20 * MINUTE, "stopped"), state(filler, t0 + 30 * MINUTE, "running")
    )
    # Until now the machine seemed stopped from 5 to 30; the late signal says it ran from 12.
    post(site, state(filler, t0 + 12 * MINUTE, "running"))
    assert stops_of(filler)[0] == [
        (t0 + 5 * MINUTE, t0 + 12 * MINUTE),
        (t0 + 20 * MINUTE, t0 + 30 * MINUTE),
    ]


# Any order, any repetition: the same stops -----------------------------------------------------

TIMELINE = [
    (0, "running"),
    (3, "stopped"),
    (4, "running"),
    (10, "fault"),
    (11, "stopped"),
    (25, "running"),
    (26, "stopped"),
    (27, "running"),
    (40, "stopped"),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(TIMELINE))),
    repeats=st.lists(st.integers(0, 8), max_size=4),
    cut=st.integers(1, len(TIMELINE)),
)
def test_signals_in_any_order_and_repetition_give_the_same_stops(
    site, line, filler_class, order, repeats, cut
):
    machine = EquipmentFactory(line=line, equipment_class=filler_class)
    t0 = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0) - datetime.timedelta(
        hours=1
    )
    items = [state(machine, t0 + minutes * MINUTE, value) for minutes, value in TIMELINE]
    shuffled = [items[i] for i in order] + [items[i] for i in repeats]
    # Delivered in two batches, each in any order.
    post(site, *shuffled[:cut])
    post(site, *shuffled[cut:])
    incidents, micro = stops_of(machine)
    assert incidents == [(t0 + 10 * MINUTE, t0 + 25 * MINUTE), (t0 + 40 * MINUTE, None)]
    # 3 to 4 and 26 to 27 are shorter than the threshold: micro-stops, whatever came first.
    assert micro == [(t0 + 3 * MINUTE, t0 + 4 * MINUTE), (t0 + 26 * MINUTE, t0 + 27 * MINUTE)]


def test_bad_signals_are_refused_with_a_reason_and_counted_and_the_rest_is_stored(
    site, filler, other_equipment, t0
):
    now = datetime.datetime.now(datetime.UTC)
    good = state(filler, t0, "running")
    bad = [
        "not an object",
        {**good, "asset_tag": "NOPE-1"},
        {**good, "asset_tag": other_equipment.asset_tag},  # another site's machine
        {**good, "at": "2026-12-01T10:00:00"},  # no offset
        {**good, "at": "yesterday"},
        {**good, "at": (now + datetime.timedelta(hours=1)).isoformat()},
        {**good, "at": (now - datetime.timedelta(days=2)).isoformat()},
        {**good, "kind": "temperature"},
        {**good, "value": "sleeping"},
        {**good, "kind": "count", "value": -3},
        {**good, "kind": "count", "value": {"total": 1.5}},
        {**good, "kind": "alarm", "value": {"text": "no code"}},
        {**good, "id": 42},
    ]
    results = ingest(site=filler.line.area.site, items=[*bad, good])
    assert [r["outcome"] for r in results] == ["rejected"] * len(bad) + ["stored"]
    reasons = [r["reason"] for r in results[:-1]]
    assert all(reasons) and "Unknown asset tag" in reasons[1] and "UTC offset" in reasons[3]
    assert "future" in reasons[5] and "horizon" in reasons[6]
    assert RejectedSignal.objects.count() == len(bad)
    assert Signal.objects.count() == 1


def test_counts_are_kept_as_received(site, filler, t0):
    items = [
        {
            "asset_tag": filler.asset_tag,
            "at": (t0 + i * MINUTE).isoformat(),
            "kind": "count",
            "value": value,
        }
        for i, value in enumerate([120, {"total": 130, "reject": 2}])
    ]
    assert post(site, *items) == ["stored", "stored"]
    assert sorted(Signal.objects.values_list("value", flat=True)) == [
        '{"reject":2,"total":130}',
        '{"total":120}',
    ]


def test_alarms_are_linked_to_the_incident_they_fall_in(site, filler, t0):
    def alarm(minutes, code):
        return {
            "asset_tag": filler.asset_tag,
            "at": (t0 + minutes * MINUTE).isoformat(),
            "kind": "alarm",
            "value": code,
        }

    post(site, state(filler, t0, "running"), alarm(1, "W001"))
    # The alarm of a stop arrives with its start, before the stop is long enough: linked when
    # the incident opens.
    post(site, state(filler, t0 + 5 * MINUTE, "fault"), alarm(5, "E042"), now=t0 + 6 * MINUTE)
    post(site, alarm(8, "E043"), now=t0 + 9 * MINUTE)
    incident = DowntimeIncident.objects.get(equipment=filler)
    events = dict(EquipmentEvent.objects.values_list("code", "incident"))
    assert events == {"W001": None, "E042": incident.pk, "E043": incident.pk}
    assert EquipmentEvent.objects.get(code="E042").source == "signal"


def test_a_stop_a_person_reported_first_takes_the_machine_times_and_keeps_their_own(
    site, filler, technician, t0
):
    post(site, state(filler, t0, "running"))
    reported = incident_open(equipment=filler, user=technician, started_at=t0 + 7 * MINUTE)
    post(
        site, state(filler, t0 + 5 * MINUTE, "stopped"), state(filler, t0 + 15 * MINUTE, "running")
    )
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.pk == reported.pk and incident.source == IncidentSource.MANUAL
    assert incident.started_at == t0 + 7 * MINUTE  # the person's
    assert incident.machine_started_at == t0 + 5 * MINUTE
    assert incident.ended_at == incident.machine_ended_at == t0 + 15 * MINUTE


def test_a_person_ending_a_stop_keeps_their_time_beside_the_machines(site, filler, technician, t0):
    post(site, state(filler, t0, "running"), state(filler, t0 + 5 * MINUTE, "stopped"))
    incident = DowntimeIncident.objects.get(equipment=filler)
    incident_stage(incident=incident, user=technician, stage="ended_at", at=t0 + 14 * MINUTE)
    post(site, state(filler, t0 + 15 * MINUTE, "running"))
    incident.refresh_from_db()
    assert incident.ended_at == t0 + 14 * MINUTE
    assert incident.machine_ended_at == t0 + 15 * MINUTE


def test_a_closed_incident_does_not_change_when_a_late_signal_arrives(
    site, filler, supervisor, reasons, t0
):
    post(
        site,
        state(filler, t0, "running"),
        state(filler, t0 + 5 * MINUTE, "stopped"),
        state(filler, t0 + 15 * MINUTE, "running"),
    )
    incident = DowntimeIncident.objects.get(equipment=filler)
    incident_close(
        incident=incident,
        user=supervisor,
        reason=reasons["changeover"],
        cause="Size change",
        action_taken="Changed the format parts",
    )
    post(site, state(filler, t0 + 10 * MINUTE, "running"))
    incident.refresh_from_db()
    assert (incident.ended_at, incident.machine_ended_at) == (t0 + 15 * MINUTE, t0 + 15 * MINUTE)


def test_machines_are_applied_apart(site, line, filler_class, t0):
    a, b = (EquipmentFactory(line=line, equipment_class=filler_class) for _ in range(2))
    post(
        site,
        *itertools.chain.from_iterable(
            [state(m, t0, "running"), state(m, t0 + 5 * MINUTE, "stopped")] for m in (a, b)
        ),
    )
    assert DowntimeIncident.objects.filter(equipment__in=[a, b], ended_at__isnull=True).count() == 2


def test_a_short_stop_a_person_already_worked_on_stays_an_incident(site, filler, technician, t0):
    post(site, state(filler, t0, "running"), state(filler, t0 + 5 * MINUTE, "stopped"))
    incident = DowntimeIncident.objects.get(equipment=filler)
    incident_stage(incident=incident, user=technician, stage="responded_at", at=t0 + 5 * MINUTE)
    # The machine's "running" at 5:30 arrives late: a micro-stop by length, but a person has
    # already answered it, so it stays, ended at the machine's time.
    post(site, state(filler, t0 + 5 * MINUTE + datetime.timedelta(seconds=30), "running"))
    incident.refresh_from_db()
    assert incident.machine_ended_at == t0 + 5 * MINUTE + datetime.timedelta(seconds=30)
    assert not MicroStop.objects.exists()


def count(machine, at, value):
    return {"asset_tag": machine.asset_tag, "at": at.isoformat(), "kind": "count", "value": value}


def minutes_of(machine):
    from logbook.telemetry.models import CountMinute

    rows = CountMinute.objects.filter(equipment=machine).order_by("minute")
    return [(row.minute, row.produced, row.rejected) for row in rows]


def test_counter_readings_roll_up_per_minute_with_resets_and_late_readings(site, filler, t0):
    second = datetime.timedelta(seconds=1)
    post(
        site,
        count(filler, t0 + 10 * second, {"total": 1000, "reject": 10}),
        count(filler, t0 + 50 * second, {"total": 1100, "reject": 12}),
        count(filler, t0 + MINUTE + 20 * second, {"total": 1250, "reject": 12}),
    )
    assert minutes_of(filler) == [(t0, 100, 2), (t0 + MINUTE, 150, 0)]
    # The counter is reset (a new batch, a PLC restart): it counts again from zero.
    post(site, count(filler, t0 + 2 * MINUTE, {"total": 40, "reject": 1}))
    assert minutes_of(filler)[-1] == (t0 + 2 * MINUTE, 40, 1)
    # A reading that arrives late lands between the others: the same totals, split anew.
    post(site, count(filler, t0 + MINUTE + 5 * second, {"total": 1200, "reject": 12}))
    assert minutes_of(filler) == [(t0, 100, 2), (t0 + MINUTE, 150, 0), (t0 + 2 * MINUTE, 40, 1)]
    post(site, count(filler, t0 + 55 * second, {"total": 1150, "reject": 12}))
    assert minutes_of(filler) == [(t0, 150, 2), (t0 + MINUTE, 100, 0), (t0 + 2 * MINUTE, 40, 1)]
    # Bare totals and good + reject count too.
    post(
        site,
        count(filler, t0 + 3 * MINUTE, 100),
        count(filler, t0 + 4 * MINUTE, {"good": 50, "reject": 5}),
    )
    assert minutes_of(filler)[-2:] == [(t0 + 3 * MINUTE, 60, 0), (t0 + 4 * MINUTE, 55, 5)]


def test_pruning_keeps_what_later_signals_are_read_against(site, filler, line, filler_class):
    from django.core.management import call_command

    from logbook.downtime.services import incident_from_machine

    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    idle = EquipmentFactory(line=line, equipment_class=filler_class)

    def raw(machine, at, kind, value):
        return Signal(equipment=machine, at=at, kind=kind, value=value, received_at=at)

    Signal.objects.bulk_create(
        [
            raw(filler, now - 10 * day - MINUTE, "state", "running"),
            raw(filler, now - 10 * day, "state", "fault"),
            raw(filler, now - 9 * day, "count", '{"total":100}'),
            raw(filler, now - 8 * day, "count", '{"total":150}'),
            raw(idle, now - 10 * day, "state", "running"),
            raw(idle, now - 9 * day, "state", "running"),
        ]
    )
    incident_from_machine(equipment=filler, started_at=now - 10 * day)
    call_command("prune_signals", "--days", "7", stdout=io.StringIO())
    kept = set(Signal.objects.values_list("equipment_id", "kind", "value"))
    assert kept == {
        (filler.pk, "state", "running"),
        (filler.pk, "state", "fault"),
        (filler.pk, "count", '{"total":150}'),
        (idle.pk, "state", "running"),
    }
    assert Signal.objects.filter(equipment=idle).count() == 1
    # Ten days down, running again now: the incident keeps its start.
    post(site, state(filler, now - MINUTE, "running"))
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.started_at == now - 10 * day and incident.ended_at == now - MINUTE


def test_raw_signals_are_kept_at_least_as_long_as_late_ones_are_taken(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least as long"):
        call_command("prune_signals", "--days", "0.5", stdout=io.StringIO())


def test_a_batch_larger_than_the_limit_is_refused_whole_on_every_path(site, filler, t0):
    from logbook.telemetry.services import MAX_BATCH

    with pytest.raises(ValueError, match="At most"):
        ingest(site=site, items=[state(filler, t0, "running")] * (MAX_BATCH + 1))
    assert not Signal.objects.exists() and not RejectedSignal.objects.exists()
