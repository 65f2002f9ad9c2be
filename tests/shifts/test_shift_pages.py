import csv
import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError

from logbook.shifts import services
from logbook.shifts.models import LogEntry, ProductionRecord, Shift
from tests.factories import PASSWORD, EquipmentFactory
from tests.queries import queries
from tests.timeline import TODAY, at

# My shift ------------------------------------------------------------------------------------


def test_my_shift_offers_to_start_the_running_shift(as_user, technician, frozen, line, patterns):
    response = as_user(technician).get("/shifts/my/")
    html = response.content.decode()
    assert "Early shift, 06:00–14:00" in html
    assert "Start the shift" in html


def test_starting_opens_the_shift_page(as_user, technician, frozen, line, patterns):
    response = as_user(technician).post(
        "/shifts/start/", {"line": line.pk, "pattern": patterns["Early"].pk, "date": "2026-06-15"}
    )
    shift = Shift.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shifts/{shift.pk}/"
    assert shift.lead == technician


def test_my_shift_goes_straight_to_a_started_shift(as_user, technician, shift):
    response = as_user(technician).get("/shifts/my/")
    assert response.status_code == 302
    assert response["Location"] == f"/shifts/{shift.pk}/"


def test_my_shift_asks_for_the_line_when_there_are_several(
    as_user, technician, frozen, line, patterns
):
    from tests.factories import LineFactory

    second = LineFactory(area=line.area, code="L2", name="Can line")
    client = as_user(technician)
    assert "Which line are you on?" in client.get("/shifts/my/").content.decode()
    assert client.post("/shifts/my/", {"line": second.pk}).status_code == 302
    technician.refresh_from_db()
    assert technician.home_line == second
    assert "Can line" in client.get("/shifts/my/").content.decode()


def test_looking_at_a_line_changes_no_setting(as_user, technician, frozen, line, patterns):
    """A GET never writes: a crawler following "?line=" links must not move anyone's line."""
    from tests.factories import LineFactory

    second = LineFactory(area=line.area, code="L2", name="Can line")
    technician.home_line = line
    technician.save()
    response = as_user(technician).get(f"/shifts/my/?line={second.pk}")
    assert "Can line" in response.content.decode()
    technician.refresh_from_db()
    assert technician.home_line == line


def test_a_foreign_line_cannot_be_chosen(as_user, technician, frozen, line, other_line, patterns):
    assert as_user(technician).post("/shifts/my/", {"line": other_line.pk}).status_code == 404
    assert as_user(technician).post("/shifts/my/", {"line": "x"}).status_code == 404
    technician.refresh_from_db()
    assert technician.home_line_id != other_line.pk


def test_a_foreign_line_cannot_be_started(as_user, technician, frozen, other_line, patterns):
    response = as_user(technician).post(
        "/shifts/start/",
        {"line": other_line.pk, "pattern": patterns["Early"].pk, "date": "2026-06-15"},
    )
    assert response.status_code == 404
    assert not Shift.objects.exists()


def test_quality_staff_cannot_start_shifts(as_user, quality, frozen, line, patterns):
    response = as_user(quality).post(
        "/shifts/start/", {"line": line.pk, "pattern": patterns["Early"].pk, "date": "2026-06-15"}
    )
    assert response.status_code == 403


def test_the_equipment_page_leads_to_logging_on_its_lines_shift(as_user, technician, shift, filler):
    response = as_user(technician).get(f"/equipment/{filler.pk}/log/")
    assert response["Location"] == f"/shifts/{shift.pk}/?equipment=L1-FIL-01#new-entry"
    html = as_user(technician).get(f"/shifts/{shift.pk}/?equipment=L1-FIL-01").content.decode()
    assert 'name="equipment" value="L1-FIL-01 – Rotary filler"' in html
    html = as_user(technician).get(f"/shifts/{shift.pk}/").content.decode()
    assert 'name="equipment" value=' not in html


# The shift page ------------------------------------------------------------------------------


def test_the_timeline_is_newest_first_with_author_and_local_time(
    as_user, technician, shift, filler
):
    services.log_entry_add(
        shift=shift, user=technician, text="First thing", category="note", occurred_at=at(6, 10)
    )
    services.log_entry_add(
        shift=shift,
        user=technician,
        text="Jam at filler",
        category="production",
        occurred_at=at(8, 45),
        equipment=filler,
    )
    html = as_user(technician).get(f"/shifts/{shift.pk}/").content.decode()
    assert html.index("Jam at filler") < html.index("First thing")
    assert ">08:45</time>" in html and ">06:10</time>" in html
    assert "Sam Taylor" in html


def test_the_shift_page_runs_a_constant_number_of_queries(
    as_user, supervisor, technician, shift, filler
):
    client = as_user(supervisor)
    services.log_entry_add(
        shift=shift, user=technician, text="one", category="note", occurred_at=at(7)
    )
    few = queries(client, f"/shifts/{shift.pk}/")
    for minute in range(40):
        services.log_entry_add(
            shift=shift,
            user=technician,
            text=f"entry {minute}",
            category="maintenance",
            occurred_at=at(7, minute),
            equipment=EquipmentFactory(line=shift.line),
        )
        services.production_record_add(
            shift=shift,
            user=technician,
            product=f"P{minute}",
            produced_count=10,
            good_count=9,
            ideal_cycle_time_s=1,
            planned_stop_minutes=0,
        )
    assert queries(client, f"/shifts/{shift.pk}/") == few


def test_a_technician_adds_an_entry(as_user, technician, shift, filler, frozen):
    response = as_user(technician).post(
        f"/shifts/{shift.pk}/entries/add/",
        {"category": "maintenance", "equipment": "l1-fil-01", "text": "Greased the chain"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.equipment, entry.author, entry.occurred_at) == (filler, technician, at(10))


def test_an_entry_is_dated_when_it_is_saved_not_when_its_page_was_opened(
    as_user, technician, shift, frozen
):
    """The page leaves the time empty ("Leave empty for now"): a form filled in over twenty
    minutes, or kept on a tablet without a connection, is not dated when the page was made."""
    client = as_user(technician)
    page = client.get(shift.get_absolute_url()).content.decode()
    field = re.search(r'<input[^>]*name="occurred_at"[^>]*>', page).group(0)
    assert "value=" not in field
    assert 'name="initial-occurred_at"' not in page
    frozen.shift(datetime.timedelta(minutes=20))
    client.post(f"/shifts/{shift.pk}/entries/add/", {"category": "note", "text": "Late note"})
    assert LogEntry.objects.get().occurred_at == at(10, 20)


def test_equipment_can_be_found_by_name(as_user, technician, shift, filler):
    as_user(technician).post(
        f"/shifts/{shift.pk}/entries/add/",
        {"category": "note", "equipment": "rotary filler", "text": "x"},
    )
    assert LogEntry.objects.get().equipment == filler


def test_a_bad_entry_is_refused_with_the_reason(as_user, technician, shift):
    response = as_user(technician).post(
        f"/shifts/{shift.pk}/entries/add/",
        {"category": "note", "equipment": "NOPE-1", "text": "x", "occurred_at": "2026-06-15T03:00"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No equipment with this asset tag or name" in html
    assert not LogEntry.objects.exists()


def test_a_technician_cannot_edit_someone_elses_entry(as_user, technician, supervisor, shift):
    entry = services.log_entry_add(
        shift=shift, user=supervisor, text="Supervisor note", category="note"
    )
    response = as_user(technician).post(
        f"/shifts/entries/{entry.pk}/edit/", {"category": "note", "text": "changed"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Supervisor note"


def test_counts_are_recorded_and_checked(as_user, technician, shift):
    client = as_user(technician)
    data = {
        "product": "Cola",
        "produced_count": 1000,
        "good_count": 1001,
        "ideal_cycle_time_s": "0.15",
        "planned_stop_minutes": 30,
    }
    response = client.post(f"/shifts/{shift.pk}/production/add/", data)
    assert response.status_code == 400
    assert "Good units cannot outnumber the units produced." in response.content.decode()
    data["good_count"] = 990
    assert client.post(f"/shifts/{shift.pk}/production/add/", data).status_code == 302
    assert ProductionRecord.objects.get().good_count == 990


def test_hand_over_acknowledge_and_sign_off_through_the_pages(
    as_user, technician, supervisor, shift, client, frozen
):
    client = as_user(technician)
    response = client.post(
        f"/shifts/{shift.pk}/handover/",
        {"summary": "Capper noisy", "open_items": "Order belt\nCheck sensor"},
    )
    assert response.status_code == 302
    frozen.move_to(at(14, 5))  # the shift has ended
    client = as_user(supervisor)
    assert client.post(f"/shifts/{shift.pk}/acknowledge/").status_code == 302
    wrong = client.post(f"/shifts/{shift.pk}/sign-off/", {"meaning": "reviewed", "password": "x"})
    assert wrong.status_code == 400
    assert "password is not correct" in wrong.content.decode()
    response = client.post(
        f"/shifts/{shift.pk}/sign-off/", {"meaning": "approved", "password": PASSWORD}
    )
    assert response.status_code == 302
    html = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "Approved by Dana Kowalski" in html


def test_a_technician_cannot_sign_off(as_user, technician, shift):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    response = as_user(technician).post(
        f"/shifts/{shift.pk}/sign-off/", {"meaning": "reviewed", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_after_sign_off_the_pages_refuse_edits_with_409(
    as_user, technician, supervisor, signed_shift
):
    entry = signed_shift.entries.get()
    record = signed_shift.production.get()
    client = as_user(supervisor)
    response = client.post(f"/shifts/entries/{entry.pk}/edit/", {"category": "note", "text": "x"})
    assert response.status_code == 409
    assert "signed off" in response.content.decode()
    response = client.post(
        f"/shifts/production/{record.pk}/edit/",
        {
            "product": "x",
            "produced_count": 1,
            "good_count": 1,
            "ideal_cycle_time_s": 1,
            "planned_stop_minutes": 0,
        },
    )
    assert response.status_code == 409
    response = as_user(technician).post(
        f"/shifts/{signed_shift.pk}/entries/add/",
        {"category": "note", "text": "late", "occurred_at": ""},
    )
    assert response.status_code == 409
    entry.refresh_from_db()
    assert entry.text == "Filler jam cleared"


def test_an_amendment_through_the_page_keeps_the_original_visible(
    as_user, supervisor, signed_shift
):
    original = signed_shift.entries.get()
    client = as_user(supervisor)
    response = client.post(
        f"/shifts/entries/{original.pk}/amend/",
        {
            "category": "production",
            "text": "Filler jam cleared at valve 12",
            "amend_reason": "Valve was missing",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/shifts/{signed_shift.pk}/").content.decode()
    assert "Filler jam cleared at valve 12" in html
    assert "Filler jam cleared<" in html.replace("\n", "")  # the original text stays
    assert "Amended" in html and "Valve was missing" in html


def test_an_amendment_without_a_reason_is_a_400(as_user, supervisor, signed_shift):
    original = signed_shift.entries.get()
    response = as_user(supervisor).post(
        f"/shifts/entries/{original.pk}/amend/",
        {"category": "note", "text": "x", "amend_reason": ""},
    )
    assert response.status_code == 400
    assert LogEntry.objects.count() == 1


def test_another_sites_shift_is_a_404(as_user, outsider, shift):
    client = as_user(outsider)
    assert client.get(f"/shifts/{shift.pk}/").status_code == 404
    assert client.post(f"/shifts/{shift.pk}/entries/add/", {"text": "x"}).status_code == 404


def test_the_report_prints_the_whole_shift(as_user, supervisor, signed_shift):
    html = as_user(supervisor).get(f"/shifts/{signed_shift.pk}/report/").content.decode()
    for text in (
        "Shift report",
        "Filler jam cleared",
        "Cola 0.5 L",
        "All good",
        "Reviewed by Dana Kowalski",
        "Signed early: Line stopped for the rest of the shift",
    ):
        assert text in html


# The shift list ------------------------------------------------------------------------------


@pytest.fixture
def week(frozen, line, patterns, technician, supervisor):
    """Three shifts of the line: one signed, one handed over, one open."""
    import datetime

    shifts = []
    for days_ago, pattern in [(2, "Early"), (1, "Late"), (0, "Early")]:
        day = TODAY - datetime.timedelta(days=days_ago)
        shifts.append(
            services.shift_start(line=line, pattern=patterns[pattern], date=day, user=technician)
        )
    services.shift_hand_over(shift=shifts[0], user=technician, summary="ok")
    services.handover_acknowledge(shift=shifts[0], user=supervisor)
    services.shift_sign_off(shift=shifts[0], user=supervisor, password=PASSWORD, meaning="reviewed")
    services.shift_hand_over(shift=shifts[1], user=technician, summary="ok")
    return shifts


def _dates(response):
    return [row.record.date.isoformat() for row in response.context["table"].paginated_rows]


def test_the_list_filters_by_status_and_dates(as_user, supervisor, week):
    client = as_user(supervisor)
    assert _dates(client.get("/shifts/?status=signed")) == ["2026-06-13"]
    assert _dates(client.get("/shifts/?status=handed_over")) == ["2026-06-14"]
    assert _dates(client.get("/shifts/?status=open")) == ["2026-06-15"]
    assert _dates(client.get("/shifts/?date_after=2026-06-14&date_before=2026-06-15")) == [
        "2026-06-15",
        "2026-06-14",
    ]


def test_the_list_exports_the_filtered_shifts(as_user, supervisor, week):
    response = as_user(supervisor).get("/shifts/?status=signed&_export=csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["Status"] == "Signed off"
    assert rows[0]["Signed by"] == "Dana Kowalski"
    assert rows[0]["Starts"] == "2026-06-13 06:00:00"


def test_the_list_runs_a_constant_number_of_queries(
    as_user, supervisor, week, line, patterns, technician
):
    import datetime

    client = as_user(supervisor)
    few = queries(client, "/shifts/")
    for days_ago in range(3, 40):
        shift = services.shift_start(
            line=line,
            pattern=patterns["Night"],
            date=TODAY - datetime.timedelta(days=days_ago),
            user=technician,
        )
        services.shift_hand_over(shift=shift, user=technician, summary="ok")
    assert queries(client, "/shifts/") == few


def test_the_list_shows_only_the_users_sites(as_user, outsider, week):
    assert _dates(as_user(outsider).get("/shifts/")) == []


def test_a_signed_shift_offers_amend_only_to_those_who_may_amend_each_record(
    as_user, signed_shift, quality, technician
):
    """The quality inspector may amend log entries but not production counts: no button that
    leads to a refusal."""
    record = signed_shift.production.get()
    entry = signed_shift.entries.get()
    amend_counts = f"/shifts/production/{record.pk}/amend/"
    amend_entry = f"/shifts/entries/{entry.pk}/amend/"
    for user in (quality, technician):
        client = as_user(user)
        html = client.get(f"/shifts/{signed_shift.pk}/").content.decode()
        for url in (amend_counts, amend_entry):
            assert (url in html) == (client.get(url).status_code == 200), (user, url)
    assert amend_counts not in as_user(quality).get(f"/shifts/{signed_shift.pk}/").content.decode()


def test_machine_down_and_inspect_stay_on_my_shift_after_sign_off(
    as_user, signed_shift, technician, quality
):
    technician.home_line = signed_shift.line
    technician.save(update_fields=["home_line"])
    client = as_user(technician)
    page = client.get("/shifts/my/", follow=True)
    assert page.context["shift"] == signed_shift
    html = page.content.decode()
    assert f'href="/downtime/new/?line={signed_shift.line_id}"' in html
    assert "Machine down" in html
    inspect = as_user(quality).get(f"/shifts/{signed_shift.pk}/").content.decode()
    # An inspection started from a signed shift belongs to the line, not to the closed shift.
    assert f'href="/quality/inspect/?line={signed_shift.line_id}"' in inspect


def test_signing_a_running_shift_asks_why_and_shows_the_reason(
    as_user, supervisor, technician, shift
):
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    client = as_user(supervisor)
    html = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "The shift runs until 14:00." in html
    assert 'name="reason"' in html
    refused = client.post(
        f"/shifts/{shift.pk}/sign-off/", {"meaning": "reviewed", "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert not Shift.objects.get(pk=shift.pk).is_signed
    client.post(
        f"/shifts/{shift.pk}/sign-off/",
        {"meaning": "reviewed", "password": PASSWORD, "reason": "Line idle after the jam"},
    )
    html = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "Signed early:" in html and "Line idle after the jam" in html


def test_a_late_entry_is_added_to_a_signed_shift_with_its_reason_and_shown_as_late(
    as_user, technician, signed_shift
):
    """What a tablet logged offline while the shift was signed off: added after the sign-off,
    with the reason, dated when it happened; the signed records stay as they were."""
    client = as_user(technician)
    url = f"/shifts/{signed_shift.pk}/entries/late/"
    late = {"category": "maintenance", "text": "Nozzle 4 replaced"}
    late["occurred_at"] = "2026-06-15T09:40"
    assert client.get(url).status_code == 200
    # Without a reason it is refused, and nothing is saved; the plain form refuses it too.
    assert client.post(url, late).status_code == 400
    assert client.post(f"/shifts/{signed_shift.pk}/entries/add/", late).status_code == 409
    assert signed_shift.entries.count() == 1
    response = client.post(url, {**late, "amend_reason": "No Wi-Fi in the cold room"})
    assert response.status_code == 302
    entry = signed_shift.entries.get(text="Nozzle 4 replaced")
    assert (entry.amends, entry.occurred_at, entry.author) == (None, at(9, 40), technician)
    assert entry.created_at >= signed_shift.signature.signed_at
    page = client.get(signed_shift.get_absolute_url()).content.decode()
    assert "Late entry" in page and "No Wi-Fi in the cold room" in page
    assert signed_shift.entries.get(text="Filler jam cleared").amend_reason == ""


def test_only_a_signed_shift_takes_a_late_entry(as_user, technician, shift):
    client = as_user(technician)
    response = client.get(f"/shifts/{shift.pk}/entries/late/")
    assert response.status_code == 302 and response["Location"].endswith("/entries/add/")
    with pytest.raises(ValidationError) as refused:
        services.log_entry_add(
            shift=shift, user=technician, text="x", category="note", amend_reason="Why"
        )
    assert "amend_reason" in refused.value.message_dict
    assert not LogEntry.objects.exists()


def test_the_tablet_fetches_ahead_the_line_s_cards_the_person_s_work_and_plans(
    as_user, technician, supervisor, quality, outsider, line, other_line, filler, shift
):
    from logbook.maintenance.services import work_order_create
    from logbook.quality.models import InspectionPlan
    from logbook.quality.services import plan_save

    technician.home_line = line
    technician.save(update_fields=["home_line"])
    mine = work_order_create(
        equipment=filler, user=supervisor, title="Chain", assigned_to=technician
    )
    elsewhere = EquipmentFactory(asset_tag="B1-CAN-01", line=other_line)
    other = work_order_create(equipment=elsewhere, user=supervisor, title="Seamer")
    plan = plan_save(
        plan=InspectionPlan(name="Final check", product="Cola", line=line),
        user=quality,
        characteristics=[{"name": "Cap", "kind": "attribute", "defect_types": "Leak"}],
    )
    client = as_user(technician)
    pages = client.get("/shifts/my/ahead/").json()["pages"]
    assert pages == [
        f"/equipment/{filler.pk}/card/",
        mine.get_absolute_url(),
        f"/quality/plans/{plan.pk}/",
        # Inspecting the shift running now, at the addresses "My shift" leads to.
        f"/quality/inspect/?shift={shift.pk}",
        f"/quality/inspect/?plan={plan.pk}&shift={shift.pk}",
    ]
    assert other.get_absolute_url() not in pages
    # Each page named opens for the technician.
    assert all(client.get(page).status_code == 200 for page in pages)
    # More machines, orders and plans: the same number of queries.
    asked = queries(client, "/shifts/my/ahead/")
    for number in range(3):
        machine = EquipmentFactory(asset_tag=f"L1-X-{number}", line=line)
        work_order_create(equipment=machine, user=supervisor, title="x", assigned_to=technician)
    assert len(client.get("/shifts/my/ahead/").json()["pages"]) == 11
    assert queries(client, "/shifts/my/ahead/") == asked
    # Someone of another site gets nothing of this one.
    assert as_user(outsider).get("/shifts/my/ahead/").json()["pages"] == []
