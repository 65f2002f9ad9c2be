"""What the signals add beside incidents: micro-stops (a speed loss) and the time a machine sent
nothing (silent), per shift, in the reports and in the API."""

import datetime
import itertools

import pytest

from logbook.telemetry.models import MachineLink, MicroStop, Signal, SilentPeriod
from logbook.telemetry.selectors import signal_losses
from logbook.telemetry.services import ingest
from tests.timeline import at

pytestmark = pytest.mark.django_db


def state(machine, hour, minute, value="running", second=0):
    moment = at(hour, minute) + datetime.timedelta(seconds=second)
    return {
        "asset_tag": machine.asset_tag,
        "at": moment.isoformat(),
        "kind": "state",
        "value": value,
    }


def silences(machine):
    return sorted(
        (period.started_at, period.ended_at)
        for period in SilentPeriod.objects.filter(equipment=machine)
    )


def test_a_gap_of_a_heartbeat_is_a_silent_period_wherever_its_signals_arrive_from(
    site, frozen, filler
):
    # Heartbeat 300 s: 8:00, 8:01, then nothing until 8:10; a late 8:05 splits that silence,
    # leaving 8:05-8:10 (5 min) silent and 8:01-8:05 (4 min) not.
    timeline = [state(filler, 8, 0), state(filler, 8, 1), state(filler, 8, 10), state(filler, 8, 5)]
    expected = [(at(8, 5), at(8, 10))]
    for order in itertools.permutations(timeline):
        SilentPeriod.objects.all().delete()
        Signal.objects.filter(equipment=filler).delete()
        MachineLink.objects.filter(equipment=filler).delete()
        for signal in order:
            ingest(site=site, items=[signal, signal])  # each repeated too
        assert silences(filler) == expected, order


def test_a_late_first_signal_opens_the_silence_before_the_next(site, frozen, filler):
    ingest(site=site, items=[state(filler, 8, 30)])
    ingest(site=site, items=[state(filler, 8, 0)])
    assert silences(filler) == [(at(8, 0), at(8, 30))]


def test_the_shift_and_the_reports_count_micro_stops_and_silence_apart(
    as_user, supervisor, technician, site, frozen, shift, filler
):
    # This gateway repeats the state every 10 minutes: 15 without one is a silence.
    filler.equipment_class.heartbeat_seconds = 900
    filler.equipment_class.save()
    ingest(
        site=site,
        items=[
            state(filler, 7, 0),
            state(filler, 7, 10, "stopped"),
            state(filler, 7, 10, second=45),  # 45 s: a micro-stop
            state(filler, 7, 20, "fault"),
            state(filler, 7, 21),  # 60 s
            state(filler, 7, 30),
            state(filler, 8, 0),  # 30 min without a signal: silent
        ],
    )
    assert MicroStop.objects.filter(equipment=filler).count() == 2
    # Silent since 8:00 and still, at 10:00: two hours more, counted up to now.
    losses = signal_losses(start=at(6), end=at(14), line=filler.line, now=at(10))
    (row,) = losses["rows"]
    assert row["micro_stops"] == 2
    assert row["micro_stop_minutes"] == pytest.approx(1.75)
    assert row["no_signal_minutes"] == pytest.approx(30 + 120)
    # Clipped to the period.
    clipped = signal_losses(start=at(7, 45), end=at(8, 30), line=filler.line, now=at(10))
    assert clipped["micro_stops"] == 0
    assert clipped["no_signal_minutes"] == pytest.approx(15 + 30)

    page = as_user(technician).get(shift.get_absolute_url()).content.decode()
    assert "The machines reported 2 micro-stops (1.8 min)" in page
    assert "No signal for 150 min." in page

    report = as_user(supervisor).get(
        "/reports/", {"scope": f"line-{filler.line.pk}", "period": "today"}
    )
    assert report.status_code == 200
    text = report.content.decode()
    assert 'id="signal-losses"' in text and "2 micro-stops (1.8 min)" in text
    assert "The speed loss includes 2 micro-stops the machines reported" in text
    assert filler.asset_tag in text.split('id="signals-h"')[1]
    export = as_user(supervisor).get(
        "/reports/",
        {
            "scope": f"line-{filler.line.pk}",
            "period": "today",
            "_export": "csv",
            "_table": "signals",
        },
    )
    assert export.status_code == 200
    assert (
        filler.asset_tag
        in b"".join(export.streaming_content if export.streaming else [export.content]).decode()
    )


def test_silent_periods_in_the_api_are_the_users_sites_only(
    api, technician, outsider, site, frozen, filler
):
    ingest(site=site, items=[state(filler, 8, 0), state(filler, 8, 20)])
    rows = api(technician).get("/api/silent-periods/").json()["results"]
    assert [(row["equipment"], row["seconds"]) for row in rows] == [(filler.pk, 1200.0)]
    assert api(outsider).get("/api/silent-periods/").json()["results"] == []


def test_a_machine_sending_only_counts_has_a_heartbeat_too(as_user, technician, site, filler):
    now = datetime.datetime.now(datetime.UTC)

    def count(minutes_ago, total):
        moment = (now - datetime.timedelta(minutes=minutes_ago)).isoformat()
        return {"asset_tag": filler.asset_tag, "at": moment, "kind": "count", "value": total}

    ingest(site=site, items=[count(30, 100), count(20, 200)])
    ingest(site=site, items=[count(10, 300)])
    # Ten minutes apart: each gap is a silence (the heartbeat is 300 s), and it is silent now.
    assert len(silences(filler)) == 2
    page = as_user(technician).get(filler.get_absolute_url()).content.decode()
    assert "status-no-signal" in page
    ingest(site=site, items=[count(0, 400)])
    page = as_user(technician).get(filler.get_absolute_url()).content.decode()
    assert "status-no-signal" not in page and "Sending" in page
