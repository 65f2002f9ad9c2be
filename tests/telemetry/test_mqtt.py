"""Signals over MQTT, through a real broker (mosquitto on loopback)."""

import datetime
import json
import time

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError

from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import EquipmentEvent
from logbook.telemetry import mqtt as mqtt_ingest
from logbook.telemetry.models import MicroStop, RejectedSignal, Signal
from logbook.telemetry.mqtt import MqttIngest, read_topic, subscription

pytestmark = pytest.mark.django_db


def test_topics_are_read_by_their_template():
    template = "plant/{site}/{line}/{asset}/{kind}"
    assert subscription(template) == "plant/+/+/+/+"
    assert read_topic(template, "plant/PLT/L1/L1-FIL-01/state") == {
        "site": "PLT",
        "line": "L1",
        "asset": "L1-FIL-01",
        "kind": "state",
    }
    assert read_topic(template, "plant/PLT/L1/state") is None
    assert read_topic(template, "other/PLT/L1/L1-FIL-01/state") is None


def publisher(broker):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-publisher")
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def publish(client, topic, payload):
    info = client.publish(
        topic, payload if isinstance(payload, bytes) else json.dumps(payload), qos=1
    )
    info.wait_for_publish(timeout=5)


def ago(minutes):
    return (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def ingest(broker):
    running = MqttIngest(port=broker.port, client_id="test-ingest", flush_seconds=0.05)
    running.start()
    assert running.subscribed.wait(10), "the ingest did not subscribe"
    yield running
    running.stop()


def run_until(ingest, done, seconds=10):
    ingest.run(seconds=seconds, until=done)
    assert done(), f"not done after {seconds} s: {dict(ingest.counts)}"


def test_signals_published_on_the_broker_become_stops_events_and_counts(broker, ingest, filler):
    topic = f"plant/PLT/L1/{filler.asset_tag}"
    client = publisher(broker)
    first = {"at": ago(30), "value": "running"}
    publish(client, f"{topic}/state", first)
    publish(client, f"{topic}/state", {"at": ago(29), "value": "stopped"})
    publish(client, f"{topic}/state", {"at": ago(28.5), "value": "running"})
    publish(client, f"{topic}/state", {"at": ago(20), "value": "fault", "id": "e-1"})
    publish(client, f"{topic}/alarm", {"at": ago(20), "value": {"code": "E042", "text": "Jam"}})
    publish(client, f"{topic}/state", {"at": ago(12), "value": "running"})
    publish(client, f"{topic}/count", {"at": ago(11), "value": {"total": 500, "reject": 3}})
    publish(client, f"{topic}/state", first)  # a repeat
    publish(client, f"{topic}/state", b"not json")
    publish(client, "plant/NOPE/L1/X-1/state", {"at": ago(5), "value": "running"})
    publish(client, f"{topic}/count", 510)  # a bare value: taken at its arrival
    run_until(ingest, lambda: sum(ingest.counts.values()) >= 11)
    client.loop_stop()

    assert ingest.counts == {"stored": 8, "duplicate": 1, "rejected": 2}
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.machine_ended_at is not None and incident.source == "machine"
    assert MicroStop.objects.filter(equipment=filler).count() == 1
    assert EquipmentEvent.objects.get(code="E042").incident == incident
    assert Signal.objects.filter(kind="count").count() == 2
    assert RejectedSignal.objects.count() == 2


def test_a_message_the_database_did_not_take_is_stored_on_the_next_pass(
    broker, ingest, filler, monkeypatch
):
    real, calls = mqtt_ingest.ingest, []

    def failing_once(**kwargs):
        calls.append(len(kwargs["items"]))
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(mqtt_ingest, "ingest", failing_once)
    monkeypatch.setattr(mqtt_ingest.time, "sleep", lambda seconds: None)
    client = publisher(broker)
    publish(client, f"plant/PLT/L1/{filler.asset_tag}/state", {"at": ago(9), "value": "running"})
    publish(client, f"plant/PLT/L1/{filler.asset_tag}/state", {"at": ago(8), "value": "stopped"})
    run_until(ingest, lambda: ingest.counts["stored"] >= 2)
    client.loop_stop()
    assert len(calls) >= 2
    assert Signal.objects.count() == 2 and DowntimeIncident.objects.count() == 1


def test_the_ingest_reconnects_when_the_broker_comes_back(broker, ingest, filler):
    topic = f"plant/PLT/L1/{filler.asset_tag}/state"
    client = publisher(broker)
    publish(client, topic, {"at": ago(9), "value": "running"})
    run_until(ingest, lambda: ingest.counts["stored"] >= 1)
    client.loop_stop()
    broker.stop()
    ingest.subscribed.clear()
    time.sleep(0.5)
    broker.start()
    assert ingest.subscribed.wait(40), "the ingest did not come back"
    client = publisher(broker)
    publish(client, topic, {"at": ago(8), "value": "stopped"})
    run_until(ingest, lambda: ingest.counts["stored"] >= 2)
    client.loop_stop()
    assert DowntimeIncident.objects.filter(equipment=filler).count() == 1
