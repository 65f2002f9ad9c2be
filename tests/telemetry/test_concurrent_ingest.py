"""Several ingest processes on one PostgreSQL (one per broker partition or site, or a gateway
replaying what another already sent): each signal is stored once and each stop becomes one
incident or one micro-stop, whatever the interleaving, and nobody deadlocks."""

import datetime
import random
import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from logbook.downtime.models import DowntimeIncident
from logbook.telemetry.models import CountMinute, MicroStop, Signal
from logbook.telemetry.services import ingest
from tests.factories import EquipmentFactory
from tests.timeline import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent ingest processes need PostgreSQL; SQLite serialises every write",
    ),
]

WORKERS = 4


def timeline(machine) -> list[dict]:
    def signal(hour, minute, kind, value, second=0):
        moment = at(hour, minute) + datetime.timedelta(seconds=second)
        return {
            "asset_tag": machine.asset_tag,
            "at": moment.isoformat(),
            "kind": kind,
            "value": value,
        }

    return [
        signal(7, 0, "state", "running"),
        signal(7, 0, "count", 0),
        signal(7, 10, "state", "stopped"),
        signal(7, 10, "state", "running", second=30),  # 30 s: a micro-stop
        signal(7, 15, "count", 100),
        signal(7, 20, "state", "fault"),
        signal(7, 30, "state", "running"),  # 10 min: an incident
        signal(7, 35, "count", 250),
    ]


def test_four_processes_ingesting_the_same_signals_store_and_apply_each_once(
    site, line, filler_class, frozen
):
    machines = [EquipmentFactory(line=line, equipment_class=filler_class) for _ in range(5)]
    signals = [item for machine in machines for item in timeline(machine)]
    barrier = threading.Barrier(WORKERS)
    outcomes, errors = [], []

    def worker(seed):
        mine = list(signals)
        random.Random(seed).shuffle(mine)
        try:
            barrier.wait()
            for start in range(0, len(mine), 7):
                results = ingest(site=site, items=mine[start : start + 7])
                outcomes.extend(result["outcome"] for result in results)
        except Exception as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert outcomes.count("stored") == len(signals)
    assert outcomes.count("duplicate") == len(signals) * (WORKERS - 1)
    assert Signal.objects.count() == len(signals)
    for machine in machines:
        incidents = DowntimeIncident.objects.filter(equipment=machine)
        assert [(i.machine_started_at, i.machine_ended_at) for i in incidents] == [
            (at(7, 20), at(7, 30))
        ]
        assert list(
            MicroStop.objects.filter(equipment=machine).values_list("started_at", flat=True)
        ) == [at(7, 10)]
        made = CountMinute.objects.filter(equipment=machine).aggregate(total=Sum("produced"))
        assert made["total"] == 250
