import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from logbook.accounts.models import Certification
from logbook.core.exceptions import RecordLocked
from logbook.maintenance import services
from logbook.maintenance.models import MaintenanceSchedule, PartUsage, WorkOrder
from tests.factories import PASSWORD
from tests.timeline import TODAY, at


def _answers(work_order, tension="10", note=""):
    rows = list(work_order.checklist.order_by("order"))
    return [
        {"id": rows[0].pk, "done": True},
        {"id": rows[1].pk, "value": tension, "note": note},
        {"id": rows[2].pk, "note": "ok"},
    ]


def _generate(**kwargs):
    return services.generate_pm_work_orders(**kwargs)


def test_the_generator_makes_due_work_once(pm_schedule):
    assert _generate() == {"created": 1, "already": 0, "no_date": 0}
    assert _generate() == {"created": 0, "already": 1, "no_date": 0}
    work_order = WorkOrder.objects.get()
    assert work_order.kind == "preventive" and work_order.status == "open"
    assert work_order.due_at == at(0)  # midnight at the site on the due date
    assert [row.text for row in work_order.checklist.order_by("order")] == [
        "Isolate and lock out the drive",
        "Chain tension",
        "Remarks",
    ]
    assert work_order.lockout_required and work_order.tolerance_days == 3


def test_nothing_is_generated_beyond_the_look_ahead(filler, frozen):
    from logbook.maintenance.models import MaintenanceSchedule

    far = MaintenanceSchedule(
        equipment=filler,
        title="Overhaul",
        interval=1,
        interval_unit="months",
        anchor_date=TODAY + datetime.timedelta(days=20),
    )
    services.schedule_save(schedule=far)
    assert _generate(lookahead_days=14)["created"] == 0
    assert _generate(lookahead_days=30)["created"] == 1


def test_the_database_refuses_a_second_active_order_of_one_schedule(pm_schedule):
    from django.db import IntegrityError, transaction

    _generate()
    first = WorkOrder.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.create(
            kind="preventive",
            equipment=first.equipment,
            schedule=pm_schedule,
            title="twin",
            due_at=first.due_at + datetime.timedelta(days=1),
        )


def _work(pm_schedule, technician, isolated=True):
    """Started; unless ``isolated`` is False, locked out and cleared again (locks off, start-up
    checked), as the work is done."""
    _generate()
    work_order = WorkOrder.objects.get()
    work_order = services.work_order_start(work_order=work_order, user=technician)
    if isolated:
        _lock_out(work_order, technician)
        _clear(work_order, technician)
    return work_order


def _lock_out(work_order, user, *numbers):
    return services.lockout_apply(
        work_order=work_order,
        user=user,
        points=[
            {"source": f"Source {number}", "lock_number": number, "tag_number": f"T{number}"}
            for number in numbers or ("17",)
        ],
    )


def _clear(work_order, user):
    on = work_order.isolation_points.filter(removed_at__isnull=True)
    return services.lockout_remove(
        work_order=work_order, user=user, points=list(on), startup_checked=True
    )


def test_completing_with_lockout_checklist_and_parts(pm_schedule, technician, part):
    work_order = _work(pm_schedule, technician, isolated=False)
    assert work_order.status == "in_progress" and work_order.assigned_to == technician
    _lock_out(work_order, technician, "17", "18")
    _clear(work_order, technician)
    done = services.work_order_complete(
        work_order=work_order,
        user=technician,
        results=_answers(work_order),
        parts_used=[{"part": part, "quantity": "1.5"}],
        findings="Chain was dry",
        labour_minutes=40,
    )
    assert done.status == "done" and done.completed_by == technician
    part.refresh_from_db()
    assert part.stock == Decimal("3.5")
    assert PartUsage.objects.get().quantity == Decimal("1.5")
    pm_schedule.refresh_from_db()
    assert pm_schedule.last_done_on == TODAY
    assert pm_schedule.next_due == datetime.date(2026, 7, 15)


def test_isolated_work_is_locked_out_before_completing(pm_schedule, technician):
    work_order = _work(pm_schedule, technician, isolated=False)
    with pytest.raises(ValidationError, match="Isolate the equipment"):
        services.work_order_complete(
            work_order=work_order, user=technician, results=_answers(work_order)
        )
    work_order.refresh_from_db()
    assert work_order.status == "in_progress"


def test_a_measurement_outside_its_limits_needs_a_note(pm_schedule, technician):
    work_order = _work(pm_schedule, technician)
    with pytest.raises(ValidationError) as error:
        services.work_order_complete(
            work_order=work_order,
            user=technician,
            results=_answers(work_order, tension="14"),
        )
    assert "14 mm is outside 8–12; add a note" in error.value.messages[0]
    services.work_order_complete(
        work_order=work_order,
        user=technician,
        results=_answers(work_order, tension="14", note="Retensioned"),
    )


def test_every_checklist_item_is_answered(pm_schedule, technician):
    work_order = _work(pm_schedule, technician)
    with pytest.raises(ValidationError) as error:
        services.work_order_complete(work_order=work_order, user=technician, results=[])
    assert len(error.value.messages) == 2  # the check and the measurement


def test_stock_never_goes_negative(pm_schedule, technician, part):
    work_order = _work(pm_schedule, technician)
    with pytest.raises(ValidationError) as error:
        services.work_order_complete(
            work_order=work_order,
            user=technician,
            results=_answers(work_order),
            parts_used=[{"part": part, "quantity": 6}],
        )
    assert "Only 5 L of LUB-220 in stock" in error.value.messages[0]
    part.refresh_from_db()
    work_order.refresh_from_db()
    assert part.stock == 5 and work_order.status == "in_progress"
    assert not PartUsage.objects.exists()


def test_the_certification_gate(pm_schedule, technician, filler_class):
    pm_schedule.required_class = filler_class
    pm_schedule.save()
    work_order = _work(pm_schedule, technician)
    complete = {
        "work_order": work_order,
        "user": technician,
        "results": _answers(work_order),
    }
    with pytest.raises(ValidationError, match="which you do not hold"):
        services.work_order_complete(**complete)
    Certification.objects.create(
        user=technician, equipment_class=filler_class, expires_on=datetime.date(2026, 6, 14)
    )
    with pytest.raises(ValidationError, match="expired on 2026-06-14"):
        services.work_order_complete(**complete)
    Certification.objects.create(user=technician, equipment_class=filler_class, expires_on=TODAY)
    assert services.work_order_complete(**complete).status == "done"


@pytest.fixture
def done_order(pm_schedule, technician):
    work_order = _work(pm_schedule, technician)
    return services.work_order_complete(
        work_order=work_order, user=technician, results=_answers(work_order)
    )


def test_a_supervisor_verifies_with_a_signature(done_order, supervisor):
    verified = services.work_order_verify(work_order=done_order, user=supervisor, password=PASSWORD)
    assert verified.status == "verified"
    assert verified.signature.signer_name == "Dana Kowalski"
    assert verified.signature.meaning == "reviewed"


def test_verifying_needs_the_role_and_the_password(done_order, technician, supervisor):
    with pytest.raises(PermissionDenied):
        services.work_order_verify(work_order=done_order, user=technician, password=PASSWORD)
    with pytest.raises(ValidationError, match="password"):
        services.work_order_verify(work_order=done_order, user=supervisor, password="no")


def test_sent_back_with_a_reason(done_order, supervisor):
    with pytest.raises(ValidationError):
        services.work_order_send_back(work_order=done_order, user=supervisor, reason=" ")
    back = services.work_order_send_back(
        work_order=done_order, user=supervisor, reason="Tension not recorded properly"
    )
    assert back.status == "in_progress" and back.return_reason.startswith("Tension")


def test_not_sent_back_once_the_schedules_next_order_is_out(
    done_order, supervisor, as_user, pm_schedule
):
    following = WorkOrder.objects.create(
        kind="preventive",
        equipment=done_order.equipment,
        schedule=pm_schedule,
        title=done_order.title,
        due_at=done_order.due_at + datetime.timedelta(days=30),
    )
    message = f"{following.number}, the next order of this schedule, is already open"
    with pytest.raises(ValidationError, match=message):
        services.work_order_send_back(work_order=done_order, user=supervisor, reason="Redo")
    page = as_user(supervisor).post(
        f"/maintenance/work-orders/{done_order.pk}/send-back/", {"reason": "Redo"}
    )
    assert page.status_code == 400 and message in page.content.decode()
    api = as_user(supervisor).post(
        f"/api/work-orders/{done_order.pk}/reopen/",
        json.dumps({"reason": "Redo"}),
        content_type="application/json",
    )
    assert api.status_code == 400 and message in api.content.decode()
    done_order.refresh_from_db()
    assert done_order.status == "done"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", lambda wo, u: services.work_order_complete(work_order=wo, user=u)),
        (
            "open",
            lambda wo, u: services.work_order_verify(work_order=wo, user=u, password=PASSWORD),
        ),
        ("open", lambda wo, u: services.work_order_send_back(work_order=wo, user=u, reason="x")),
        ("in_progress", lambda wo, u: services.work_order_start(work_order=wo, user=u)),
        (
            "in_progress",
            lambda wo, u: services.work_order_verify(work_order=wo, user=u, password=PASSWORD),
        ),
        ("done", lambda wo, u: services.work_order_start(work_order=wo, user=u)),
        ("done", lambda wo, u: services.work_order_cancel(work_order=wo, user=u, reason="x")),
    ],
)
def test_refused_status_moves(filler, supervisor, status, action):
    work_order = WorkOrder.objects.create(
        kind="corrective", equipment=filler, title="Fix", due_at=at(9), status=status
    )
    with pytest.raises(ValidationError) as error:
        action(work_order, supervisor)
    assert "cannot become" in str(error.value) or "Only completed" in str(error.value)
    work_order.refresh_from_db()
    assert work_order.status == status


@pytest.mark.parametrize("status", ["verified", "cancelled"])
def test_a_closed_order_never_moves(filler, supervisor, status):
    work_order = WorkOrder.objects.create(
        kind="corrective", equipment=filler, title="Fix", due_at=at(9), status=status
    )
    for action in (
        lambda: services.work_order_start(work_order=work_order, user=supervisor),
        lambda: services.work_order_send_back(work_order=work_order, user=supervisor, reason="x"),
        lambda: services.work_order_cancel(work_order=work_order, user=supervisor, reason="x"),
        lambda: services.work_order_update(work_order=work_order, user=supervisor, title="x"),
    ):
        with pytest.raises(RecordLocked):
            action()


def test_a_verified_order_is_corrected_by_amendment(done_order, supervisor, technician):
    verified = services.work_order_verify(work_order=done_order, user=supervisor, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        services.work_order_amend(work_order=verified, user=technician, text="x", reason="y")
    amendment = services.work_order_amend(
        work_order=verified,
        user=supervisor,
        text="Chain oil LUB-220 used, not LUB-100",
        reason="Wrong part noted",
    )
    assert amendment.work_order == verified
    verified.refresh_from_db()
    assert verified.status == "verified"


def test_cancelling_needs_a_reason(filler, supervisor):
    work_order = services.work_order_create(equipment=filler, user=supervisor, title="Fix")
    with pytest.raises(ValidationError):
        services.work_order_cancel(work_order=work_order, user=supervisor, reason="")
    assert (
        services.work_order_cancel(
            work_order=work_order, user=supervisor, reason="Duplicate"
        ).status
        == "cancelled"
    )


def test_a_corrective_order_from_an_incident_is_linked_both_ways(filler, technician, frozen):
    from logbook.downtime.services import incident_open

    incident = incident_open(equipment=filler, user=technician)
    work_order = services.work_order_create(
        equipment=filler, user=technician, title="Replace guide", downtime_incident=incident
    )
    assert list(incident.work_orders.all()) == [work_order]
    with pytest.raises(ValidationError):
        from tests.factories import EquipmentFactory

        services.work_order_create(
            equipment=EquipmentFactory(line=filler.line),
            user=technician,
            title="x",
            downtime_incident=incident,
        )


def test_a_meter_schedule_is_due_when_the_projection_says(filler, technician, frozen):
    from logbook.equipment.models import Meter, MeterReading

    meter = Meter.objects.create(equipment=filler, name="Run hours", unit="h")
    for days_ago, value in [(20, 1000), (10, 1200), (0, 1400)]:
        MeterReading.objects.create(
            meter=meter,
            value=value,
            taken_by=technician,
            taken_at=at(8) - datetime.timedelta(days=days_ago),
        )
    schedule = services.schedule_save(
        schedule=MaintenanceSchedule(
            equipment=filler,
            title="Oil change",
            interval=500,
            interval_unit="meter",
            meter=meter,
            anchor_date=at(0).date() - datetime.timedelta(days=20),
        )
    )
    # From 1000 h at the anchor, due at 1500 h; 100 h to go at 20 h a day: in 5 days.
    assert schedule.next_due == TODAY + datetime.timedelta(days=5)
    assert _generate(lookahead_days=4)["created"] == 0
    assert _generate(lookahead_days=5)["created"] == 1


def test_a_fixed_schedule_stays_on_its_series_after_late_work(filler, technician, frozen):
    schedule = services.schedule_save(
        schedule=MaintenanceSchedule(
            equipment=filler,
            title="Weekly clean",
            interval=1,
            interval_unit="weeks",
            anchor="fixed",
            anchor_date=TODAY - datetime.timedelta(days=3),
        )
    )
    _generate()
    work_order = WorkOrder.objects.get()
    services.work_order_start(work_order=work_order, user=technician)
    services.work_order_complete(work_order=work_order, user=technician)
    schedule.refresh_from_db()
    assert schedule.next_due == TODAY + datetime.timedelta(days=4)  # the series, not today + 7


# Lockout/tagout as a procedure -----------------------------------------------------------------


def test_each_lock_is_recorded_with_who_and_when(pm_schedule, technician, frozen):
    work_order = _work(pm_schedule, technician, isolated=False)
    _lock_out(work_order, technician, "17", "18")
    points = list(work_order.isolation_points.order_by("lock_number"))
    assert [(p.source, p.lock_number, p.tag_number) for p in points] == [
        ("Source 17", "17", "T17"),
        ("Source 18", "18", "T18"),
    ]
    assert {(p.applied_by, p.applied_at) for p in points} == {(technician, timezone.now())}
    assert not any(p.removed_at for p in points)
    work_order.refresh_from_db()
    assert work_order.lockout_confirmed_by == technician


def test_completing_waits_for_the_locks_off_and_the_start_up_check(pm_schedule, technician):
    work_order = _work(pm_schedule, technician, isolated=False)
    _lock_out(work_order, technician, "17", "18")
    complete = {"work_order": work_order, "user": technician, "results": _answers(work_order)}
    with pytest.raises(ValidationError, match=r"Remove the locks \(17, 18\)"):
        services.work_order_complete(**complete)
    first, second = work_order.isolation_points.order_by("lock_number")
    # One lock off: the other still holds, no start-up check yet.
    services.lockout_remove(work_order=work_order, user=technician, points=[first])
    with pytest.raises(ValidationError, match=r"Remove the locks \(18\)"):
        services.work_order_complete(**complete)
    # The last one comes off only with the start-up check.
    with pytest.raises(ValidationError) as refused:
        services.lockout_remove(work_order=work_order, user=technician, points=[second])
    assert "startup_checked" in refused.value.message_dict
    second.refresh_from_db()
    assert second.removed_at is None
    services.lockout_remove(
        work_order=work_order,
        user=technician,
        points=[second],
        startup_checked=True,
        note="Guards closed, test run",
    )
    work_order.refresh_from_db()
    assert work_order.startup_checked_by == technician
    assert work_order.startup_note == "Guards closed, test run"
    assert not work_order.isolation_points.filter(removed_at__isnull=True).exists()
    assert services.work_order_complete(**complete).status == "done"


def test_a_lock_is_on_one_machine_at_a_time(pm_schedule, technician, filler):
    work_order = _work(pm_schedule, technician, isolated=False)
    _lock_out(work_order, technician, "17")
    other = services.work_order_create(equipment=filler, user=technician, title="Leak")
    other = services.work_order_start(work_order=other, user=technician)
    with pytest.raises(ValidationError, match="Lock 17 is on L1-FIL-01 for WO-"):
        _lock_out(other, technician, "17")
    with pytest.raises(ValidationError, match="given twice"):
        _lock_out(other, technician, "20", "20")
    with pytest.raises(ValidationError, match="needs its lock number"):
        services.lockout_apply(
            work_order=other, user=technician, points=[{"source": "Main switch"}]
        )
    assert not other.isolation_points.exists()


def test_locks_are_for_work_in_progress_and_never_on_verified_work(
    pm_schedule, technician, supervisor
):
    _generate()
    open_order = WorkOrder.objects.get()
    with pytest.raises(ValidationError, match="start the work before isolating"):
        _lock_out(open_order, technician)
    work_order = _work(pm_schedule, technician)
    services.work_order_complete(
        work_order=work_order, user=technician, results=_answers(work_order)
    )
    services.work_order_verify(work_order=work_order, user=supervisor, password=PASSWORD)
    with pytest.raises(RecordLocked):
        _lock_out(work_order, technician, "30")
    with pytest.raises(RecordLocked):
        services.checklist_save(work_order=work_order, user=technician, results=[])


def test_a_cancel_waits_for_the_locks_off(pm_schedule, technician, supervisor):
    work_order = _work(pm_schedule, technician, isolated=False)
    _lock_out(work_order, technician, "17")
    with pytest.raises(ValidationError, match=r"Locks are still on the equipment \(17\)"):
        services.work_order_cancel(work_order=work_order, user=supervisor, reason="No window")


def test_sent_back_work_is_isolated_again(pm_schedule, technician, supervisor):
    work_order = _work(pm_schedule, technician)
    services.work_order_complete(
        work_order=work_order, user=technician, results=_answers(work_order)
    )
    services.work_order_send_back(work_order=work_order, user=supervisor, reason="Chain loose")
    with pytest.raises(ValidationError, match="Isolate the equipment"):
        services.checklist_save(work_order=work_order, user=technician, results=[])


# Checklists keep their answers -------------------------------------------------------------------


def test_the_checklist_keeps_each_answer_as_it_is_given(pm_schedule, technician):
    work_order = _work(pm_schedule, technician, isolated=False)
    rows = list(work_order.checklist.order_by("order"))
    with pytest.raises(ValidationError, match="before the checklist"):
        services.checklist_save(
            work_order=work_order, user=technician, results=[{"id": rows[0].pk, "done": True}]
        )
    _lock_out(work_order, technician)
    services.checklist_save(
        work_order=work_order, user=technician, results=[{"id": rows[0].pk, "done": True}]
    )
    services.checklist_save(
        work_order=work_order,
        user=technician,
        results=[{"id": rows[1].pk, "value": "9.5"}],
        findings="Chain dry",
    )
    kept = {row.pk: row for row in work_order.checklist.all()}
    assert kept[rows[0].pk].done is True  # the first answer stays when the next comes
    assert kept[rows[1].pk].value == Decimal("9.5")
    work_order.refresh_from_db()
    assert work_order.findings == "Chain dry" and work_order.status == "in_progress"
    with pytest.raises(ValidationError, match="not on this work order"):
        services.checklist_save(work_order=work_order, user=technician, results=[{"id": 999999}])
