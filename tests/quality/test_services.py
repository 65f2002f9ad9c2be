import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from logbook.core.exceptions import RecordLocked
from logbook.quality import services
from logbook.quality.models import InspectionPlan
from logbook.quality.selectors import capability_and_other_limits
from tests.factories import PASSWORD
from tests.timeline import at


@pytest.fixture
def plan(line, quality):
    return services.plan_save(
        plan=InspectionPlan(name="Cola 0.5 L final check", product="Cola 0.5 L", line=line),
        user=quality,
        characteristics=[
            {
                "name": "Fill volume",
                "kind": "variable",
                "nominal": Decimal("500"),
                "lsl": Decimal("495"),
                "usl": Decimal("505"),
                "unit": "ml",
                "decimals": 1,
            },
            {
                "name": "Cap torque",
                "kind": "variable",
                "lsl": Decimal("1.6"),
                "usl": Decimal("2.2"),
                "unit": "N·m",
                "decimals": 2,
            },
            {"name": "Seal integrity", "kind": "attribute", "defect_types": "Leak, Cocked cap"},
        ],
    )


def _ids(plan):
    return {c.name: c.pk for c in plan.characteristics.all()}


def _inspect(plan, user, fill="500.0", torque="1.90", seal=True, defect="", **extra):
    ids = _ids(plan)
    return services.inspection_record(
        plan=plan,
        user=user,
        batch="B-1",
        results={
            ids["Fill volume"]: fill,
            ids["Cap torque"]: torque,
            ids["Seal integrity"]: {"passed": seal, "defect": defect},
        },
        **extra,
    )


def test_a_value_exactly_at_a_limit_passes(plan, technician):
    assert _inspect(plan, technician, fill="505.0", torque="1.60").verdict == "pass"


def test_one_value_outside_fails_the_inspection(plan, technician):
    inspection = _inspect(plan, technician, fill="505.1")
    assert inspection.verdict == "fail"
    failed = inspection.measurements.get(passed=False)
    assert failed.characteristic.name == "Fill volume" and failed.value == Decimal("505.1")


def test_a_failed_attribute_needs_its_defect(plan, technician):
    with pytest.raises(ValidationError, match="choose the defect"):
        _inspect(plan, technician, seal=False)
    assert _inspect(plan, technician, seal=False, defect="Leak").verdict == "fail"


def test_values_are_kept_to_the_plans_precision(plan, technician):
    with pytest.raises(ValidationError, match="read to 1 decimal"):
        _inspect(plan, technician, fill="500.04")
    inspection = _inspect(plan, technician, fill="500")
    assert inspection.measurements.get(characteristic__name="Fill volume").value == Decimal("500.0")


def test_every_characteristic_is_answered_and_numbers_are_numbers(plan, technician):
    with pytest.raises(ValidationError) as error:
        services.inspection_record(plan=plan, user=technician, batch="B", results={})
    assert len(error.value.messages) == 3
    with pytest.raises(ValidationError, match="is not a number"):
        _inspect(plan, technician, torque="abc")


def test_limits_must_make_sense(line, quality):
    for bad in (
        {"name": "x", "kind": "variable", "lsl": Decimal(5), "usl": Decimal(5)},
        {
            "name": "x",
            "kind": "variable",
            "lsl": Decimal(1),
            "usl": Decimal(5),
            "nominal": Decimal(6),
        },
        {"name": "x", "kind": "attribute", "usl": Decimal(5)},
    ):
        with pytest.raises(ValidationError):
            services.plan_save(
                plan=InspectionPlan(name="P", product="P", line=line),
                user=quality,
                characteristics=[bad],
            )


def test_changing_a_plan_in_use_makes_a_new_version(plan, technician, quality):
    old_inspection = _inspect(plan, technician, fill="504.0")
    plan.name = "Cola final check"
    rows = [
        {
            "name": "Fill volume",
            "kind": "variable",
            "lsl": Decimal("498"),
            "usl": Decimal("502"),
            "unit": "ml",
            "decimals": 1,
        }
    ]
    new = services.plan_save(plan=plan, user=quality, characteristics=rows)
    assert new.pk != plan.pk and new.version == 2 and new.family == plan.family
    plan.refresh_from_db()
    assert not plan.is_current and plan.characteristics.count() == 3
    old_inspection.refresh_from_db()
    assert old_inspection.plan == plan and old_inspection.verdict == "pass"  # unchanged
    with pytest.raises(ValidationError, match="newer version"):
        _inspect(plan, technician)


def test_a_plan_not_yet_used_is_edited_in_place(plan, quality):
    plan.product = "Cola 0.5 L PET"
    same = services.plan_save(
        plan=plan,
        user=quality,
        characteristics=[
            {"name": "Fill volume", "kind": "variable", "lsl": Decimal(495), "usl": Decimal(505)}
        ],
    )
    assert same.pk == plan.pk and same.version == 1 and same.characteristics.count() == 1


def test_capability_in_the_database_matches_the_hand_computation(plan, technician, frozen):
    for minutes, fill in enumerate(["500.0", "502.0", "501.0", "503.0", "499.0"]):
        _inspect(plan, technician, fill=fill, inspected_at=at(6, minutes))
    fill = plan.characteristics.get(name="Fill volume")
    result, _ = capability_and_other_limits(fill, at(0), at(12))
    sigma = 2.25 / 1.128
    assert result.n == 5 and result.mean == pytest.approx(501.0)
    assert result.cp == pytest.approx(10 / (6 * sigma))
    assert result.cpk == pytest.approx(4 / (3 * sigma))
    assert result.pp == pytest.approx(10 / (6 * 1.5811388), abs=1e-5)
    assert result.out_of_spec == 0


def test_the_database_counts_values_out_of_specification_with_inclusive_limits(
    plan, technician, frozen
):
    # 495 and 505 are at the limits (in); 494.9 and 505.1 are out; a period from 06:03 holds
    # only the last out-of-specification value.
    for minutes, fill in enumerate(["495.0", "505.0", "494.9", "505.1", "500.0"]):
        _inspect(plan, technician, fill=fill, inspected_at=at(6, minutes))
    fill = plan.characteristics.get(name="Fill volume")
    assert capability_and_other_limits(fill, at(0), at(12))[0].out_of_spec == 2
    assert capability_and_other_limits(fill, at(6, 3), at(12))[0].out_of_spec == 1


def test_nonconformance_from_open_to_closed(plan, technician, quality):
    inspection = _inspect(plan, technician, fill="506.0")
    nc = services.nonconformance_raise(
        user=technician,
        line=plan.line,
        inspection=inspection,
        title="Overfill",
        severity="major",
        description=services.failure_summary(inspection),
    )
    assert "Fill volume: 506 ml (limits 495–505)" in nc.description
    with pytest.raises(PermissionDenied):
        services.nonconformance_disposition(nc=nc, user=technician, disposition="rework")
    with pytest.raises(ValidationError, match="Disposition it before"):
        services.nonconformance_close(nc=nc, user=quality, password=PASSWORD)
    services.nonconformance_disposition(
        nc=nc, user=quality, disposition="rework", containment="Batch B-1 on hold"
    )
    with pytest.raises(ValidationError) as error:
        services.nonconformance_close(nc=nc, user=quality, password=PASSWORD)
    assert "root_cause" in error.value.message_dict
    closed = services.nonconformance_close(
        nc=nc,
        user=quality,
        password=PASSWORD,
        root_cause="Level probe drift",
        corrective_action="Probe recalibrated",
    )
    assert closed.status == "closed" and closed.signature.signer == quality
    with pytest.raises(RecordLocked):
        services.nonconformance_update(nc=closed, user=quality, title="x")


def test_an_inspection_cannot_be_dated_ahead(plan, technician, frozen):
    with pytest.raises(ValidationError):
        _inspect(plan, technician, inspected_at=at(12))


def test_a_shift_of_another_line_is_refused(plan, technician, frozen, other_line, patterns):
    from logbook.shifts.models import Shift

    shift = Shift(
        line=other_line,
        pattern=patterns["Early"],
        date=at(0).date(),
        started_by=technician,
        starts_at=at(6),
        ends_at=at(14),
    )
    shift.save()
    with pytest.raises(ValidationError):
        _inspect(plan, technician, shift=shift)
    _ = datetime


def test_a_closed_nonconformance_is_corrected_by_amendment(plan, technician, quality):
    nc = services.nonconformance_raise(user=technician, line=plan.line, title="Leak")
    with pytest.raises(ValidationError, match="Only a closed"):
        services.nonconformance_amend(nc=nc, user=quality, text="x", reason="y")
    services.nonconformance_disposition(nc=nc, user=quality, disposition="scrap")
    closed = services.nonconformance_close(
        nc=nc, user=quality, password=PASSWORD, root_cause="Seal", corrective_action="New liner"
    )
    amendment = services.nonconformance_amend(
        nc=closed,
        user=quality,
        text="Quantity was 1,400, not 1,200",
        reason="Recount at the warehouse",
    )
    closed.refresh_from_db()
    assert amendment.nonconformance == closed and closed.status == "closed"


def test_a_signed_inspection_is_signed_once(plan, technician, quality):
    inspection = _inspect(plan, technician)
    with pytest.raises(PermissionDenied):
        services.inspection_sign(inspection=inspection, user=technician, password=PASSWORD)
    signed = services.inspection_sign(inspection=inspection, user=quality, password=PASSWORD)
    assert signed.signature.signer == quality
    with pytest.raises(RecordLocked):
        services.inspection_sign(inspection=inspection, user=quality, password=PASSWORD)


def test_the_equipment_of_a_plan_is_on_its_line(line, other_equipment, quality):
    with pytest.raises(ValidationError, match="another line"):
        services.plan_save(
            plan=InspectionPlan(name="P", product="P", line=line, equipment=other_equipment),
            user=quality,
            characteristics=[{"name": "x", "kind": "attribute"}],
        )
