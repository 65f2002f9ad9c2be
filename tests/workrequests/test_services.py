import pytest
from django.core.exceptions import ValidationError

from logbook.core.exceptions import Conflict
from logbook.maintenance.choices import Priority, WorkOrderKind
from logbook.workrequests import services
from logbook.workrequests.choices import RequestStatus


@pytest.fixture
def request_(filler, operator):
    return services.work_request_raise(
        equipment=filler,
        user=operator,
        description="Guard door switch loose\nIt rattles when the door closes.",
        urgency=Priority.HIGH,
    )


def test_a_request_turns_into_a_work_order_linked_both_ways(request_, planner):
    answered = services.work_request_convert(work_request=request_, user=planner)
    order = answered.work_order
    assert answered.status == RequestStatus.CONVERTED
    assert order.work_request == answered
    assert order.kind == WorkOrderKind.CORRECTIVE
    assert order.equipment == request_.equipment
    assert order.title == "Guard door switch loose"
    assert order.priority == Priority.HIGH
    assert "Jordan Reyes" in order.description and request_.number in order.description
    assert answered.decided_by == planner and answered.decided_at is not None


def test_the_planner_may_retitle_and_reprioritise(request_, planner, technician):
    answered = services.work_request_convert(
        work_request=request_,
        user=planner,
        title="Replace guard switch",
        priority=Priority.URGENT,
        assigned_to=technician,
    )
    assert answered.work_order.title == "Replace guard switch"
    assert answered.work_order.priority == Priority.URGENT
    assert answered.work_order.assigned_to == technician


def test_a_request_is_answered_once(request_, planner, supervisor):
    services.work_request_convert(work_request=request_, user=planner)
    with pytest.raises(Conflict):
        services.work_request_convert(work_request=request_, user=supervisor)
    with pytest.raises(Conflict):
        services.work_request_decline(work_request=request_, user=supervisor, reason="Dup")
    assert request_.equipment.work_orders.count() == 1


def test_declining_needs_a_reason_and_is_final(request_, planner):
    with pytest.raises(ValidationError):
        services.work_request_decline(work_request=request_, user=planner, reason="  ")
    request_.refresh_from_db()
    assert request_.status == RequestStatus.OPEN
    answered = services.work_request_decline(
        work_request=request_, user=planner, reason="Already fixed on WO-00012"
    )
    assert answered.status == RequestStatus.DECLINED
    assert answered.decline_reason == "Already fixed on WO-00012"
    with pytest.raises(Conflict):
        services.work_request_convert(work_request=answered, user=planner)


def test_a_request_needs_a_description(filler, operator):
    with pytest.raises(ValidationError):
        services.work_request_raise(equipment=filler, user=operator, description="")
