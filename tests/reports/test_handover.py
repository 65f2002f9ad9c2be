"""The handover compiled from the records, and answered item by item by the next shift."""

import pytest
from django.core.exceptions import ValidationError

from logbook.core.exceptions import Conflict, RecordLocked
from logbook.downtime.models import DowntimeIncident
from logbook.reports.handover import compile_handover
from logbook.shifts import services
from logbook.shifts.models import HandoverItem, OpenItem
from tests.factories import PASSWORD
from tests.reports.test_maintenance_kpis import order
from tests.timeline import at


@pytest.fixture
def eventful(shift, technician, filler, reasons, pm_schedule):
    """The running early shift: counts, a stop that ended, one still going, work done and due."""
    services.production_record_add(
        shift=shift,
        user=technician,
        product="Cola 0.5 L",
        produced_count=480,
        good_count=470,
        ideal_cycle_time_s=60,
        planned_stop_minutes=0,
    )
    DowntimeIncident.objects.create(
        equipment=filler, started_at=at(7), ended_at=at(7, 20), reason=reasons["jam"]
    )
    DowntimeIncident.objects.create(equipment=filler, started_at=at(9, 30))
    order(filler, at(6), done=at(8), kind="corrective", title="Replace the guide rail")
    order(filler, at(20), schedule=pm_schedule, title="Lubricate the drive chain")
    return shift


def texts(items, topic):
    return [item["text"] for item in items if item["topic"] == topic]


def test_the_records_are_compiled_into_items(eventful, technician):
    OpenItem.objects.create(
        line=eventful.line, raised_on=eventful, raised_by=technician, text="Check the air leak"
    )
    items = compile_handover(eventful)
    [production] = texts(items, "production")
    assert "480 made, 470 good" in production and "OEE" in production
    downtime = texts(items, "downtime")
    assert any("still down since 2026-06-15 09:30: not classified yet" in t for t in downtime)
    assert any(t.startswith("1 stop ended, 20 min") for t in downtime)
    assert any("Replace the guide rail" in t for t in texts(items, "work"))
    assert any("Lubricate the drive chain" in t for t in texts(items, "pm_due"))
    assert texts(items, "open_item") == ["Check the air leak"]
    assert all(item["url"] for item in items)


def test_the_next_shift_answers_each_item_and_a_question_stays_open(
    eventful, technician, supervisor
):
    handover = services.shift_hand_over(shift=eventful, user=technician, summary="Watch the air")
    items = list(handover.items.all())
    assert len(items) >= 4
    with pytest.raises(ValidationError, match="incoming person"):
        services.handover_item_answer(item=items[0], user=technician, answer="accepted")
    with pytest.raises(ValidationError):
        services.handover_item_answer(item=items[0], user=supervisor, answer="question")
    services.handover_item_answer(
        item=items[0], user=supervisor, answer="question", note="Which product next?"
    )
    question = OpenItem.objects.get(text__contains="Which product next?")
    assert question.closed_at is None and question.line == eventful.line
    with pytest.raises(Conflict):
        services.handover_item_answer(item=items[0], user=supervisor, answer="accepted")
    for item in items[1:-1]:
        services.handover_item_answer(item=item, user=supervisor, answer="accepted")
    handover.refresh_from_db()
    assert handover.acknowledged_at is None  # one item still waits
    services.handover_item_answer(item=items[-1], user=supervisor, answer="accepted")
    handover.refresh_from_db()
    assert handover.acknowledged_by == supervisor  # the last answer acknowledges


def test_acknowledging_the_whole_handover_accepts_the_rest(eventful, technician, supervisor):
    handover = services.shift_hand_over(shift=eventful, user=technician)
    first = handover.items.first()
    services.handover_item_answer(item=first, user=supervisor, answer="question", note="Why?")
    services.handover_acknowledge(shift=eventful, user=supervisor)
    answers = set(handover.items.exclude(pk=first.pk).values_list("answer", flat=True))
    assert answers == {"accepted"}
    assert (
        HandoverItem.history.filter(answer="accepted").count() == len(handover.items.all()) - 1
    )  # each acceptance is in the audit trail


def test_items_of_a_signed_shift_never_change(eventful, technician, supervisor, quality):
    handover = services.shift_hand_over(shift=eventful, user=technician)
    services.handover_acknowledge(shift=eventful, user=supervisor)
    services.shift_sign_off(
        shift=eventful, user=supervisor, password=PASSWORD, meaning="reviewed", reason="Line off"
    )
    item = handover.items.first()
    assert item.is_locked
    with pytest.raises((RecordLocked, Conflict)):
        services.handover_item_answer(item=item, user=quality, answer="accepted")


def test_answering_on_the_page(as_user, eventful, technician, supervisor):
    handover = services.shift_hand_over(shift=eventful, user=technician)
    item = handover.items.first()
    client = as_user(supervisor)
    page = client.get(eventful.get_absolute_url()).content.decode()
    assert f'id="handover-item-{item.pk}"' in page and "Accept" in page
    url = f"/shifts/{eventful.pk}/handover/items/{item.pk}/"
    response = client.post(url, {"answer": "accepted", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"].startswith(eventful.get_absolute_url())
    item.refresh_from_db()
    assert item.answer == "accepted" and item.answered_by == supervisor
    assert client.post(url, {"answer": "accepted"}).status_code == 409
    # The one who handed over sees the items but no buttons.
    mine = as_user(technician).get(eventful.get_absolute_url()).content.decode()
    assert "Waiting for the next shift." in mine


def test_answering_through_the_api(api, eventful, technician, supervisor, outsider):
    handover = services.shift_hand_over(shift=eventful, user=technician)
    item = handover.items.first()
    listed = api(supervisor).get(f"/api/handover-items/?shift_id={eventful.pk}").json()
    assert listed["count"] == handover.items.count()
    url = f"/api/handover-items/{item.pk}/answer/"
    assert api(outsider).post(url, {"answer": "accepted"}, format="json").status_code == 404
    bad = api(supervisor).post(url, {"answer": "maybe"}, format="json")
    assert bad.status_code == 400
    done = api(supervisor).post(url, {"answer": "accepted", "note": "ok"}, format="json")
    assert done.status_code == 200 and done.json()["answer"] == "accepted"


def test_a_note_too_long_is_refused_with_nothing_saved(as_user, eventful, technician, supervisor):
    handover = services.shift_hand_over(shift=eventful, user=technician)
    item = handover.items.first()
    url = f"/shifts/{eventful.pk}/handover/items/{item.pk}/"
    response = as_user(supervisor).post(url, {"answer": "question", "note": "x" * 2001})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.answered_at is None and not OpenItem.objects.filter(text__contains="xxxx").exists()
