import datetime

import pytest
from django.core.exceptions import ValidationError

from logbook.core.exceptions import Conflict, RecordLocked
from logbook.downtime import services
from logbook.downtime.models import DowntimeIncident
from logbook.downtime.selectors import with_downtime
from logbook.equipment.models import Equipment
from tests.factories import EquipmentFactory
from tests.timeline import NOW, at


def test_opening_stops_the_equipment_and_its_components_at_once(frozen, filler, technician):
    pump = EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    EquipmentFactory(asset_tag="SEAL", line=filler.line, parent=pump)
    incident = services.incident_open(equipment=filler, user=technician, symptom="No fill")
    assert incident.started_at == at(10)
    states = dict(
        with_downtime(Equipment.objects.all()).values_list("asset_tag", "effective_status")
    )
    assert states == {"L1-FIL-01": "down", "PUMP": "down", "SEAL": "down"}
    services.incident_stage(incident=incident, user=technician, stage="ended_at")
    states = dict(
        with_downtime(Equipment.objects.all()).values_list("asset_tag", "effective_status")
    )
    assert set(states.values()) == {"running"}


def test_a_components_stop_does_not_stop_its_machine(frozen, filler, technician):
    pump = EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    services.incident_open(equipment=pump, user=technician)
    states = dict(
        with_downtime(Equipment.objects.all()).values_list("asset_tag", "effective_status")
    )
    assert states == {"L1-FIL-01": "running", "PUMP": "down"}


def test_stages_default_to_now_and_keep_their_order(frozen, filler, technician):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9, 30))
    services.incident_stage(incident=incident, user=technician, stage="responded_at")
    frozen.move_to(at(10, 20))
    services.incident_stage(incident=incident, user=technician, stage="repaired_at")
    with pytest.raises(ValidationError) as error:
        services.incident_stage(incident=incident, user=technician, stage="ended_at", at=at(10, 10))
    assert "cannot be before" in error.value.message_dict["ended_at"][0]
    incident = services.incident_stage(incident=incident, user=technician, stage="ended_at")
    assert incident.stage_minutes() == {"response": 30, "repair": 20, "restart": 0}
    assert incident.duration_minutes == 50


def test_nothing_in_the_future(frozen, filler, technician):
    with pytest.raises(ValidationError) as error:
        services.incident_open(equipment=filler, user=technician, started_at=at(11))
    assert "future" in error.value.message_dict["started_at"][0]


def test_only_one_open_incident_per_equipment(frozen, filler, technician):
    first = services.incident_open(equipment=filler, user=technician, started_at=at(9))
    with pytest.raises(Conflict) as error:
        services.incident_open(equipment=filler, user=technician)
    assert f"incident #{first.pk}" in str(error.value)
    assert "still open" in str(error.value)


def test_a_stage_tapped_twice_keeps_the_first_time(frozen, filler, technician):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9))
    services.incident_stage(incident=incident, user=technician, stage="responded_at")
    frozen.shift(60)
    with pytest.raises(Conflict, match="already recorded"):
        services.incident_stage(incident=incident, user=technician, stage="responded_at")
    incident.refresh_from_db()
    assert incident.responded_at == NOW


def test_incidents_of_one_equipment_never_overlap(frozen, filler, technician):
    first = services.incident_open(
        equipment=filler, user=technician, started_at=at(7), ended_at=at(8)
    )
    with pytest.raises(ValidationError) as error:
        services.incident_open(
            equipment=filler, user=technician, started_at=at(7, 30), ended_at=at(9)
        )
    assert (
        f"incident #{first.pk} from 2026-06-15 07:00 to 2026-06-15 08:00"
        in (error.value.messages[0])
    )
    # Back to back is fine: the end is not part of the stop.
    services.incident_open(equipment=filler, user=technician, started_at=at(8), ended_at=at(9))
    # Another machine may be down at the same time.
    services.incident_open(
        equipment=EquipmentFactory(line=filler.line),
        user=technician,
        started_at=at(7, 30),
        ended_at=at(9),
    )


def test_an_open_incident_cannot_start_before_a_recorded_one_ends(frozen, filler, technician):
    services.incident_open(equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 30))
    with pytest.raises(ValidationError):
        services.incident_open(equipment=filler, user=technician, started_at=at(8))


def test_durations_are_exact_across_a_clock_change(db, filler, technician):
    berlin = filler.line.area.site.zone
    start = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=berlin)  # before the clocks go back
    end = datetime.datetime(2026, 10, 25, 3, 30, tzinfo=berlin)
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=start, ended_at=end
    )
    assert incident.duration_minutes == 180


def test_closing_asks_for_reason_cause_action_and_failure_coding(
    frozen, filler, technician, reasons
):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    with pytest.raises(ValidationError) as error:
        services.incident_close(
            incident=incident, user=technician, reason=reasons["jam"], cause="", action_taken=""
        )
    assert {"cause", "action_taken", "failure_mode", "detection_method"} <= set(
        error.value.message_dict
    )
    incident.refresh_from_db()
    assert incident.closed_at is None
    closed = services.incident_close(
        incident=incident,
        user=technician,
        reason=reasons["jam"],
        cause="Worn guide",
        action_taken="Cleared and adjusted",
        **reasons["coding"],
    )
    assert closed.closed_at is not None and closed.closed_by == technician


def test_a_planned_stop_needs_no_failure_coding(frozen, filler, technician, reasons):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 40)
    )
    services.incident_close(
        incident=incident,
        user=technician,
        reason=reasons["changeover"],
        cause="Plan",
        action_taken="Changed parts",
    )


def test_a_code_from_the_wrong_list_is_refused(frozen, filler, technician, reasons):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    coding = {**reasons["coding"], "failure_mode": reasons["coding"]["detection_method"]}
    with pytest.raises(ValidationError) as error:
        services.incident_close(
            incident=incident,
            user=technician,
            reason=reasons["jam"],
            cause="x",
            action_taken="y",
            **coding,
        )
    assert "is not a failure mode" in error.value.message_dict["failure_mode"][0]


def test_a_running_machine_cannot_be_closed_while_down(frozen, filler, technician, reasons):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9))
    with pytest.raises(ValidationError) as error:
        services.incident_close(
            incident=incident,
            user=technician,
            reason=reasons["changeover"],
            cause="x",
            action_taken="y",
        )
    assert "ended_at" in error.value.message_dict


@pytest.fixture
def closed(frozen, filler, technician, reasons):
    incident = services.incident_open(
        equipment=filler,
        user=technician,
        started_at=at(8),
        ended_at=at(8, 30),
        symptom="Jam at infeed",
    )
    return services.incident_close(
        incident=incident,
        user=technician,
        reason=reasons["jam"],
        cause="Guide",
        action_taken="Cleared",
        **reasons["coding"],
    )


def test_a_closed_incident_never_changes(closed, supervisor):
    for attempt in (
        lambda: services.incident_update(incident=closed, user=supervisor, symptom="x"),
        lambda: services.incident_stage(incident=closed, user=supervisor, stage="ended_at"),
        lambda: services.incident_close(incident=closed, user=supervisor, cause="y"),
    ):
        with pytest.raises(RecordLocked):
            attempt()
    closed.refresh_from_db()
    assert closed.symptom == "Jam at infeed"


def test_an_amendment_keeps_the_original_and_replaces_it_in_the_figures(closed, supervisor):
    amendment = services.incident_amend(
        original=closed, user=supervisor, ended_at=at(8, 45), amend_reason="Restart took longer"
    )
    closed.refresh_from_db()
    assert closed.ended_at == at(8, 30)
    assert closed.amended_by == amendment
    assert amendment.closed_at is not None and amendment.duration_minutes == 45
    assert list(DowntimeIncident.objects.current()) == [amendment]
    with pytest.raises(ValidationError, match="already amended"):
        services.incident_amend(original=closed, user=supervisor, amend_reason="again")


def test_an_open_incident_is_edited_not_amended(frozen, filler, technician, supervisor):
    incident = services.incident_open(equipment=filler, user=technician)
    with pytest.raises(ValidationError, match="Only a closed incident"):
        services.incident_amend(original=incident, user=supervisor, amend_reason="x")


def test_reasons_form_a_tree_of_one_kind(reasons):
    from logbook.downtime.models import ReasonCode

    wrong = ReasonCode(code="X", name="X", kind="planned", parent=reasons["jam"].parent)
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert "kind" in error.value.message_dict
    too_deep = ReasonCode(code="Y", name="Y", kind="unplanned", parent=reasons["jam"])
    with pytest.raises(ValidationError):
        too_deep.full_clean()
