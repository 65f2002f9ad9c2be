"""The line simulator: realistic signals, posted over HTTP to a running server or over MQTT."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from logbook.downtime.models import DowntimeIncident
from logbook.telemetry.models import Gateway, MicroStop, Signal
from logbook.telemetry.mqtt import MqttIngest
from logbook.telemetry.simulator import timeline
from tests.factories import EquipmentFactory


def test_an_hour_of_a_line_has_runs_stops_of_every_length_counts_and_alarms():
    start = datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC)
    signals = timeline(["A-1", "A-2"], start, start + datetime.timedelta(hours=8), seed=3)
    assert signals == timeline(["A-1", "A-2"], start, start + datetime.timedelta(hours=8), seed=3)
    assert [s["_at"] for s in signals] == sorted(s["_at"] for s in signals)
    for tag in ("A-1", "A-2"):
        states = [
            (s["_at"], s["value"])
            for s in signals
            if s["asset_tag"] == tag and s["kind"] == "state"
        ]
        lengths = [
            (end - begin).total_seconds()
            for (begin, down), (end, up) in itertools.pairwise(states)
            if down != "running" and up == "running"
        ]
        assert min(lengths) < 120 < max(lengths), "micro-stops and real stops"
        totals = [
            s["value"]["total"] for s in signals if s["asset_tag"] == tag and s["kind"] == "count"
        ]
        assert totals == sorted(totals) and len(totals) > 100
    assert any(s["kind"] == "alarm" for s in signals)


@pytest.fixture
def line_machines(line, filler_class):
    return [EquipmentFactory(line=line, equipment_class=filler_class) for _ in range(3)]


@pytest.mark.django_db(transaction=True)
def test_the_simulator_posts_over_http_to_a_running_server(live_server, site, line, line_machines):
    _gateway, key = Gateway.issue(site=site, name="simulator")
    out = StringIO()
    call_command(
        "simulate_line",
        line.code,
        "--url",
        live_server.url,
        "--key",
        key,
        "--backfill",
        "240",
        stdout=out,
    )
    assert "3 machines" in out.getvalue()
    assert DowntimeIncident.objects.filter(source="machine").exists()
    assert MicroStop.objects.exists()
    assert Signal.objects.filter(kind="count").count() > 100
    assert "'rejected': 0" in out.getvalue()

    call_command(
        "simulate_line",
        line.code,
        "--url",
        live_server.url,
        "--key",
        key,
        "--stop",
        line_machines[0].asset_tag,
        stdout=StringIO(),
    )
    assert DowntimeIncident.objects.get(equipment=line_machines[0], ended_at__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_or_no_server_is_said_plainly(live_server, line, line_machines):
    with pytest.raises(CommandError, match="401"):
        call_command(
            "simulate_line", line.code, "--url", live_server.url, "--key", "nope", stdout=StringIO()
        )
    with pytest.raises(CommandError, match="Cannot reach"):
        call_command(
            "simulate_line",
            line.code,
            "--url",
            "http://127.0.0.1:9",
            "--key",
            "k",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="No line"):
        call_command("simulate_line", "NOPE", "--key", "k", stdout=StringIO())


@pytest.mark.django_db
def test_the_simulator_publishes_over_mqtt_to_the_ingest(broker, site, line, line_machines):
    ingest = MqttIngest(port=broker.port, client_id="sim-ingest", flush_seconds=0.05)
    ingest.start()
    assert ingest.subscribed.wait(10)
    out = StringIO()
    call_command(
        "simulate_line",
        line.code,
        "--via",
        "mqtt",
        "--port",
        str(broker.port),
        "--backfill",
        "60",
        stdout=out,
    )
    published = int(out.getvalue().split("'published': ")[1].split("}")[0])
    ingest.run(seconds=30, until=lambda: sum(ingest.counts.values()) >= published)
    ingest.stop()
    assert ingest.counts["stored"] == published
    assert Signal.objects.count() == published
