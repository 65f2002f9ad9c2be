"""Signals over OPC UA, from an asyncua server the test starts on loopback with simulated
variables."""

import time

import pytest
from asyncua import sync, ua

from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import EquipmentEvent
from logbook.telemetry.models import MicroStop, OpcUaNode, Signal
from logbook.telemetry.opcua import OpcUaIngest, as_value
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def test_variable_values_become_signal_values():
    assert as_value("state", True) == "running" and as_value("state", False) == "stopped"
    assert [as_value("state", n) for n in (0, 1, 2)] == ["stopped", "running", "fault"]
    assert as_value("state", " Running ") == "running"
    assert as_value("alarm", "") is None and as_value("alarm", 0) is None
    assert as_value("alarm", "E042") == "E042" and as_value("count", 12) == 12


class Plc:
    """An OPC UA server with a filler's state, counter and alarm, restartable on its port."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}"
        self.server = None

    def start(self):
        self.server = sync.Server()
        self.server.set_endpoint(f"opc.tcp://127.0.0.1:{self.port}/")
        index = self.server.register_namespace("urn:plant:line1")
        filler = self.server.nodes.objects.add_object(index, "Filler")
        self.state = filler.add_variable(ua.NodeId("L1.Filler.State", index), "State", 1)
        self.count = filler.add_variable(
            ua.NodeId("L1.Filler.Count", index), "Count", 1000, ua.VariantType.Int64
        )
        self.alarm = filler.add_variable(ua.NodeId("L1.Filler.Alarm", index), "Alarm", "")
        self.server.start()
        self.index = index
        return self

    def stop(self):
        self.server.stop()

    def node_id(self, name):
        return f"ns={self.index};s=L1.Filler.{name}"


@pytest.fixture
def plc():
    running = Plc().start()
    yield running
    running.stop()


@pytest.fixture
def mapped(plc, filler):
    for kind, name in (("state", "State"), ("count", "Count"), ("alarm", "Alarm")):
        OpcUaNode.objects.create(
            endpoint=plc.endpoint, node_id=plc.node_id(name), equipment=filler, kind=kind
        )
    filler.equipment_class.min_stop_seconds = 1
    filler.equipment_class.save()


def run_until(ingest, done, seconds=20):
    ingest.run(seconds=seconds, until=done)
    assert done(), f"not done after {seconds} s: {dict(ingest.counts)}"


def test_changes_of_mapped_variables_become_stops_counts_and_alarms(plc, mapped, filler):
    ingest = OpcUaIngest(plc.endpoint, period_ms=50, flush_seconds=0.05)
    try:
        # The current values arrive first: running, counter at 1000.
        run_until(ingest, lambda: ingest.counts["stored"] >= 2)
        plc.state.write_value(2)  # fault
        plc.alarm.write_value("E042")
        time.sleep(1.5)
        plc.count.write_value(ua.Variant(1250, ua.VariantType.Int64))
        plc.state.write_value(1)
        run_until(ingest, lambda: Signal.objects.filter(kind="state").count() >= 3)
        run_until(ingest, lambda: Signal.objects.filter(kind="count").count() >= 2)
    finally:
        ingest.disconnect()
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.machine_ended_at is not None and incident.source == "machine"
    assert EquipmentEvent.objects.get(code="E042").incident == incident
    assert not MicroStop.objects.exists()


def test_the_ingest_comes_back_after_a_lost_connection_and_a_server_restart(plc, mapped, filler):
    ingest = OpcUaIngest(plc.endpoint, period_ms=50, flush_seconds=0.05)
    try:
        run_until(ingest, lambda: ingest.counts["stored"] >= 2)
        # The connection drops: on reconnection the server sends the current values again,
        # with their own timestamps: stored once.
        ingest.disconnect()
        run_until(ingest, lambda: ingest.counts["duplicate"] >= 2)
        assert Signal.objects.count() == 2
        # The server goes away and comes back.
        plc.stop()
        ingest.run(seconds=3)
        plc.start()
        plc.state.write_value(0)
        run_until(ingest, lambda: Signal.objects.filter(kind="state", value="stopped").exists(), 40)
    finally:
        ingest.disconnect()
