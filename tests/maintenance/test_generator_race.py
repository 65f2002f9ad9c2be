"""Two app servers running the PM generator at the same moment make no duplicate work orders."""

import threading

import pytest
from django.db import connection, connections

from logbook.maintenance import services
from logbook.maintenance.models import MaintenanceSchedule, WorkOrder
from tests.factories import EquipmentFactory
from tests.timeline import TODAY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL; SQLite serialises every write anyway",
    ),
]


def _in_threads(target, count):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_generators_at_once_create_each_order_once(line, frozen):
    for number in range(20):
        services.schedule_save(
            schedule=MaintenanceSchedule(
                equipment=EquipmentFactory(line=line),
                title=f"Task {number}",
                interval=1,
                interval_unit="weeks",
                anchor_date=TODAY,
            )
        )
    results, errors = _in_threads(services.generate_pm_work_orders, 2)
    assert errors == []
    assert WorkOrder.objects.count() == 20
    assert sum(result["created"] for result in results) == 20


def test_the_constraint_holds_when_both_pass_the_python_check(line, frozen):
    schedule = services.schedule_save(
        schedule=MaintenanceSchedule(
            equipment=EquipmentFactory(line=line),
            title="Task",
            interval=1,
            interval_unit="weeks",
            anchor_date=TODAY,
        )
    )

    def create():
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                services._preventive_from(schedule, TODAY)
        except IntegrityError:
            return "refused"
        return "created"

    results, errors = _in_threads(create, 2)
    assert errors == []
    assert sorted(results) == ["created", "refused"]
    assert WorkOrder.objects.count() == 1
