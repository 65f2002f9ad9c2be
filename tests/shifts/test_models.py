import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from logbook.shifts.models import LogEntry, ProductionRecord, Shift
from tests.timeline import TODAY, at


def _entry(shift, user, when):
    return LogEntry(shift=shift, author=user, text="x", category="note", occurred_at=when)


def test_an_entry_inside_the_shift_is_fine(shift, technician):
    _entry(shift, technician, at(6, 0)).full_clean()
    _entry(shift, technician, at(9, 59)).full_clean()


def test_an_entry_may_be_a_little_outside_the_shift(shift, technician, settings):
    settings.SHIFT_ENTRY_GRACE_MINUTES = 30
    _entry(shift, technician, at(5, 30)).full_clean()


def test_an_entry_far_outside_the_shift_is_refused(shift, technician):
    with pytest.raises(ValidationError) as error:
        _entry(shift, technician, at(5, 29)).full_clean()
    assert "outside the shift (06:00–14:00, with 30 minutes" in error.value.messages[0]


def test_the_grace_window_is_a_setting(shift, technician, settings):
    settings.SHIFT_ENTRY_GRACE_MINUTES = 90
    _entry(shift, technician, at(4, 45)).full_clean()


def test_an_entry_cannot_be_in_the_future(shift, technician):
    with pytest.raises(ValidationError) as error:
        _entry(shift, technician, at(11, 0)).full_clean()
    assert "future" in error.value.message_dict["occurred_at"][0]


def test_an_entry_needs_text(shift, technician):
    entry = _entry(shift, technician, at(7))
    entry.text = "   "
    with pytest.raises(ValidationError):
        entry.full_clean()


def test_equipment_of_another_site_is_refused(shift, technician, other_equipment):
    entry = _entry(shift, technician, at(7))
    entry.equipment = other_equipment
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "another site" in error.value.message_dict["equipment"][0]


def _record(shift, user, **counts):
    values = {
        "product": "Cola",
        "produced_count": 100,
        "good_count": 90,
        "ideal_cycle_time_s": Decimal("1.5"),
        "planned_stop_minutes": 30,
    }
    values.update(counts)
    return ProductionRecord(shift=shift, recorded_by=user, **values)


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"good_count": 101}, "good_count"),
        ({"ideal_cycle_time_s": Decimal("0")}, "ideal_cycle_time_s"),
        ({"ideal_cycle_time_s": Decimal("-1")}, "ideal_cycle_time_s"),
        ({"planned_stop_minutes": 481}, "planned_stop_minutes"),
        ({"produced_count": -1}, "produced_count"),
    ],
)
def test_counts_are_checked(shift, technician, counts, field):
    with pytest.raises(ValidationError) as error:
        _record(shift, technician, **counts).full_clean()
    assert field in error.value.message_dict


def test_planned_stops_may_fill_the_whole_shift(shift, technician):
    _record(shift, technician, planned_stop_minutes=480).full_clean()


def test_the_database_refuses_more_good_than_produced(shift, technician):
    with pytest.raises(IntegrityError), transaction.atomic():
        _record(shift, technician, good_count=101).save()


def test_one_shift_per_line_pattern_and_date(shift, technician):
    twin = Shift(
        line=shift.line,
        pattern=shift.pattern,
        date=TODAY,
        started_by=technician,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_pattern_of_another_site_is_refused(frozen, line, other_site, technician):
    from logbook.shifts.models import ShiftPattern

    foreign = ShiftPattern.objects.create(
        site=other_site, name="Day", start_time=datetime.time(6), end_time=datetime.time(14)
    )
    with pytest.raises(ValidationError):
        Shift(line=line, pattern=foreign, date=TODAY, started_by=technician).full_clean(
            exclude=["starts_at", "ends_at"]
        )


def test_an_amendment_needs_a_reason(signed_shift, supervisor):
    original = signed_shift.entries.get()
    amendment = LogEntry(
        shift=signed_shift,
        author=supervisor,
        text="Fixed",
        category="note",
        occurred_at=original.occurred_at,
        amends=original,
    )
    with pytest.raises(ValidationError) as error:
        amendment.full_clean()
    assert "amend_reason" in error.value.message_dict
