import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from logbook.core.exceptions import RecordLocked
from logbook.shifts import services
from logbook.shifts.models import Handover, LogEntry, OpenItem, ProductionRecord, ShiftPattern
from tests.factories import PASSWORD, AreaFactory, LineFactory, SiteFactory
from tests.timeline import TODAY, at

# Starting ------------------------------------------------------------------------------------


def test_starting_computes_the_window_in_the_sites_zone(shift):
    assert shift.starts_at == at(6)
    assert shift.ends_at == at(14)
    assert shift.duration_minutes == 480
    assert shift.lead == shift.started_by


def test_starting_twice_gives_the_same_shift(shift, line, patterns, supervisor):
    again = services.shift_start(line=line, pattern=patterns["Early"], date=TODAY, user=supervisor)
    assert again.pk == shift.pk


def test_a_shift_cannot_be_started_hours_ahead(frozen, line, patterns, technician):
    with pytest.raises(ValidationError) as error:
        services.shift_start(line=line, pattern=patterns["Late"], date=TODAY, user=technician)
    assert "can be started from an hour before" in error.value.messages[0]


@pytest.mark.parametrize(
    ("zone", "night", "hours"),
    [
        ("America/Chicago", datetime.date(2026, 3, 7), 7),
        ("America/Chicago", datetime.date(2026, 10, 31), 9),
        ("Europe/Berlin", datetime.date(2026, 3, 28), 7),
        ("Europe/Berlin", datetime.date(2026, 10, 24), 9),
    ],
)
def test_a_started_night_shift_over_a_clock_change_is_7_or_9_hours(
    db, technician, zone, night, hours
):
    site = SiteFactory(code=zone[:3].upper(), timezone=zone)
    technician.sites.add(site)  # a shift's lead works at its site
    line = LineFactory(area=AreaFactory(site=site))
    night_pattern = ShiftPattern.objects.create(
        site=site, name="Night", start_time=datetime.time(22), end_time=datetime.time(6)
    )
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=ZoneInfo(zone))):
        shift = services.shift_start(line=line, pattern=night_pattern, date=night, user=technician)
    assert shift.duration_minutes == hours * 60
    assert shift.starts_at.astimezone(ZoneInfo(zone)).hour == 22
    assert shift.ends_at.astimezone(ZoneInfo(zone)).hour == 6


# Entries -------------------------------------------------------------------------------------


def test_an_entry_is_written_by_its_author_at_now_by_default(shift, technician, frozen):
    entry = services.log_entry_add(shift=shift, user=technician, text="Started", category="note")
    assert entry.author == technician
    assert entry.occurred_at == at(10)


def test_a_technician_edits_only_their_own_entries(shift, technician, supervisor, quality):
    entry = services.log_entry_add(shift=shift, user=technician, text="a", category="note")
    with pytest.raises(PermissionDenied):
        services.log_entry_update(entry=entry, user=quality, text="b")
    services.log_entry_update(entry=entry, user=technician, text="mine")
    services.log_entry_update(entry=entry, user=supervisor, text="reviewed")
    entry.refresh_from_db()
    assert entry.text == "reviewed"


def test_counts_are_edited_by_whoever_recorded_them_or_a_supervisor(shift, technician, supervisor):
    from tests.factories import UserFactory

    other = UserFactory(roles=["technician"], member_of=[shift.site])
    record = services.production_record_add(
        shift=shift,
        user=technician,
        product="Cola",
        produced_count=10,
        good_count=9,
        ideal_cycle_time_s=1,
        planned_stop_minutes=0,
    )
    with pytest.raises(PermissionDenied):
        services.production_record_update(record=record, user=other, good_count=8)
    services.production_record_update(record=record, user=supervisor, good_count=8)


# Handover, acknowledgement, open items -------------------------------------------------------


def test_handing_over_raises_open_items_that_follow_the_line(shift, technician, patterns, frozen):
    services.shift_hand_over(
        shift=shift,
        user=technician,
        summary="Watch the capper",
        open_items=["Order belt", "  ", "Check sensor"],
    )
    assert [item.text for item in OpenItem.objects.all()] == ["Order belt", "Check sensor"]
    frozen.move_to(at(14, 5))
    late = services.shift_start(
        line=shift.line, pattern=patterns["Late"], date=TODAY, user=technician
    )
    from logbook.shifts.selectors import shift_page

    assert [item.text for item in shift_page(late)["open_items"]] == ["Order belt", "Check sensor"]
    item = OpenItem.objects.get(text="Order belt")
    services.open_item_close(item=item, user=technician, shift=late, note="Ordered")
    frozen.move_to(at(22, 5))
    night = services.shift_start(
        line=shift.line, pattern=patterns["Night"], date=TODAY, user=technician
    )
    assert [item.text for item in shift_page(night)["open_items"]] == ["Check sensor"]
    # The late shift still shows what it closed.
    assert "Order belt" in [item.text for item in shift_page(late)["open_items"]]


def test_a_handover_needs_no_typed_summary_and_happens_once(shift, technician):
    # The records are compiled into the handover: the summary is only what they cannot say.
    handover = services.shift_hand_over(shift=shift, user=technician, summary="  ")
    assert handover.summary == "" and handover.items.exists()
    with pytest.raises(ValidationError):
        services.shift_hand_over(shift=shift, user=technician, summary="again")
    assert Handover.objects.count() == 1


def test_the_incoming_person_acknowledges_once(shift, technician, supervisor):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    with pytest.raises(ValidationError, match="incoming person"):
        services.handover_acknowledge(shift=shift, user=technician)
    handover = services.handover_acknowledge(shift=shift, user=supervisor)
    assert handover.acknowledged_by == supervisor and handover.acknowledged_at is not None
    with pytest.raises(ValidationError, match="Already acknowledged"):
        services.handover_acknowledge(shift=shift, user=supervisor)


# Sign-off ------------------------------------------------------------------------------------


def test_sign_off_needs_a_handover(shift, supervisor):
    with pytest.raises(ValidationError, match="Hand the shift over"):
        services.shift_sign_off(shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed")


def test_sign_off_needs_the_signers_password(shift, technician, supervisor):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    with pytest.raises(ValidationError, match="password is not correct"):
        services.shift_sign_off(
            shift=shift, user=supervisor, password="guess", meaning="reviewed", reason="Audit"
        )
    shift.refresh_from_db()
    assert not shift.is_signed


def test_only_a_supervisor_signs(shift, technician):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    with pytest.raises(PermissionDenied):
        services.shift_sign_off(shift=shift, user=technician, password=PASSWORD, meaning="reviewed")


def test_a_signature_shows_who_when_and_what_it_means(signed_shift, supervisor):
    signature = signed_shift.signature
    assert signature.signer == supervisor
    assert signature.signer_name == "Dana Kowalski"
    assert signature.meaning == "reviewed"
    assert signature.signed_at == at(10)
    assert signed_shift.status == "signed"


def test_a_shift_is_signed_once(signed_shift, supervisor):
    with pytest.raises(RecordLocked):
        services.shift_sign_off(
            shift=signed_shift, user=supervisor, password=PASSWORD, meaning="approved"
        )


# Immutability through the service layer ------------------------------------------------------


def test_a_signed_shifts_records_cannot_change_through_the_services(
    signed_shift, technician, supervisor
):
    entry = signed_shift.entries.get()
    record = signed_shift.production.get()
    attempts = [
        lambda: services.log_entry_add(
            shift=signed_shift, user=technician, text="late", category="note", occurred_at=at(8)
        ),
        lambda: services.log_entry_update(entry=entry, user=supervisor, text="changed"),
        lambda: services.log_entry_delete(entry=entry, user=supervisor),
        lambda: services.production_record_add(
            shift=signed_shift,
            user=technician,
            product="x",
            produced_count=1,
            good_count=1,
            ideal_cycle_time_s=1,
            planned_stop_minutes=0,
        ),
        lambda: services.production_record_update(record=record, user=supervisor, good_count=1),
        lambda: services.production_record_delete(record=record, user=supervisor),
        lambda: services.shift_update(shift=signed_shift, user=supervisor, lead=supervisor),
        lambda: services.shift_hand_over(shift=signed_shift, user=technician, summary="x"),
    ]
    for attempt in attempts:
        with pytest.raises(RecordLocked, match=r"signed off .* by Dana Kowalski"):
            attempt()
    entry.refresh_from_db()
    record.refresh_from_db()
    assert entry.text == "Filler jam cleared"
    assert record.good_count == 990


def test_an_amendment_keeps_the_original(signed_shift, supervisor):
    original = signed_shift.entries.get()
    amendment = services.log_entry_add(
        shift=signed_shift,
        user=supervisor,
        text="Filler jam cleared at valve 12",
        category="production",
        amends=original,
        amend_reason="Valve number was missing",
    )
    assert amendment.occurred_at == original.occurred_at
    original.refresh_from_db()
    assert original.text == "Filler jam cleared"
    assert original.amended_by == amendment
    assert list(LogEntry.objects.filter(shift=signed_shift).current()) == [amendment]
    with pytest.raises(ValidationError, match="already amended"):
        services.log_entry_add(
            shift=signed_shift,
            user=supervisor,
            text="again",
            category="note",
            amends=original,
            amend_reason="again",
        )


def test_counts_are_amended_not_edited(signed_shift, supervisor):
    original = signed_shift.production.get()
    services.production_record_add(
        shift=signed_shift,
        user=supervisor,
        amends=original,
        amend_reason="Recount",
        product="Cola 0.5 L",
        produced_count=1000,
        good_count=980,
        ideal_cycle_time_s=1,
        planned_stop_minutes=30,
    )
    current = ProductionRecord.objects.filter(shift=signed_shift).current().get()
    assert current.good_count == 980
    assert ProductionRecord.objects.filter(shift=signed_shift).count() == 2


def test_an_amendment_without_a_reason_is_refused(signed_shift, supervisor):
    with pytest.raises(ValidationError):
        services.log_entry_add(
            shift=signed_shift,
            user=supervisor,
            text="x",
            category="note",
            amends=signed_shift.entries.get(),
        )


def test_a_running_shift_is_signed_off_only_with_a_reason_the_signature_keeps(
    shift, technician, supervisor
):
    """Signing a running shift locked its technicians out two hours before its end."""
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    with pytest.raises(ValidationError, match="The shift runs until 14:00"):
        services.shift_sign_off(shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed")
    shift.refresh_from_db()
    assert not shift.is_signed
    services.shift_sign_off(
        shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed", reason="Line idle"
    )
    shift.refresh_from_db()
    assert shift.signature.reason == "Line idle"


def test_an_ended_shift_is_signed_off_once_the_next_shift_acknowledged(
    shift, technician, supervisor, frozen
):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    frozen.move_to(at(14, 10))
    with pytest.raises(ValidationError, match="not acknowledged the handover"):
        services.shift_sign_off(shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed")
    services.handover_acknowledge(shift=shift, user=supervisor)
    services.shift_sign_off(shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed")
    shift.refresh_from_db()
    assert shift.is_signed and shift.signature.reason == ""
