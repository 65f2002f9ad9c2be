"""The daily digest: its content, one mail per person and day however often it runs, opt-out."""

import datetime
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from logbook.reports.digest import send_digests
from logbook.reports.models import DigestDelivery
from logbook.shifts.models import LogEntry
from tests.reports.test_oee import BERLIN, counts, down, t, worked

DAY = datetime.date(2026, 6, 15)
NEXT_MORNING = datetime.datetime(2026, 6, 16, 6, 30, tzinfo=BERLIN)


@pytest.fixture
def yesterday(line, filler, patterns, technician, supervisor, reasons):
    supervisor.email = "supervisor@plant.example"
    supervisor.save()
    shift = worked(line, patterns["Early"], DAY, technician)
    counts(shift, 19271, 19271 - 423, 1, planned_minutes=60)
    down(filler, t(9), t(9, 47), reasons["jam"])
    down(filler, t(11), t(11, 5))  # not classified: a weak spot of the record
    entry = LogEntry.objects.create(
        shift=shift, author=technician, category="note", text="Late note", occurred_at=t(13)
    )
    LogEntry.objects.filter(pk=entry.pk).update(created_at=t(15))  # written after the end
    return shift


def test_the_digest_says_yesterdays_figures_and_what_needs_attention(yesterday, supervisor):
    with time_machine.travel(NEXT_MORNING, tick=False):
        result = send_digests()
    assert result["sent"] == 1 and result["day"] == DAY
    [message] = mail.outbox
    assert message.to == ["supervisor@plant.example"]
    assert "2026-06-15" in message.subject
    text = message.body
    assert "L1 – PET line" in text
    assert "OEE 74.8 %" in text  # the published example: 74.79 %
    assert "U-JAM – Jam 47 min" in text
    assert "Failures: 2" in text
    assert "1 Stops not classified" in text
    # Record quality: one stop left unclassified, one entry written after the shift ended.
    assert (
        "L1 Early 2026-06-15: 85 (stops not classified: 1, entries written after the end: 1, "
        "amendments: 0)"
    ) in text
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<table" in html and "74.8 %" in html
    assert "/reports/?scope=site-" in html


def test_run_twice_one_mail(yesterday, supervisor):
    with time_machine.travel(NEXT_MORNING, tick=False):
        out = io.StringIO()
        call_command("send_daily_digest", stdout=out)
        call_command("send_daily_digest", stdout=out)
    assert len(mail.outbox) == 1
    assert "1 sent" in out.getvalue() and "1 already sent" in out.getvalue()
    assert DigestDelivery.objects.filter(user=supervisor, day=DAY).count() == 1


def test_people_who_opted_out_get_nothing(yesterday, supervisor, as_user):
    client = as_user(supervisor)
    assert client.get("/accounts/profile/").status_code == 200
    assert client.post("/accounts/profile/", {}).status_code == 302  # the box left unticked
    supervisor.refresh_from_db()
    assert supervisor.daily_digest is False
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert send_digests()["sent"] == 0
    assert mail.outbox == []


def test_technicians_and_people_without_an_address_get_nothing(yesterday, technician):
    technician.email = "tech@plant.example"
    technician.save()
    with time_machine.travel(NEXT_MORNING, tick=False):
        send_digests()
    assert [message.to for message in mail.outbox] == [["supervisor@plant.example"]]


def test_a_failed_send_is_tried_again_next_run(yesterday, supervisor, settings):
    settings.EMAIL_BACKEND = "tests.reports.test_digest.BrokenBackend"
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert send_digests()["failed"] == 1
        assert not DigestDelivery.objects.exists()
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert send_digests()["sent"] == 1


def test_a_bad_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_daily_digest", "--date", "yesterday")


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail relay is down")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two servers at once need PostgreSQL; SQLite serialises every write anyway",
)
def test_two_servers_at_once_send_one_mail(line, patterns, technician, supervisor):
    supervisor.email = "supervisor@plant.example"
    supervisor.save()
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            with time_machine.travel(NEXT_MORNING, tick=False):
                results.append(send_digests())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result["sent"] for result in results) == [0, 1]
    assert len(mail.outbox) == 1


def test_a_supervisor_who_reads_german_gets_the_digest_in_german(yesterday, supervisor):
    supervisor.language = "de"
    supervisor.save()
    with time_machine.travel(NEXT_MORNING, tick=False):
        send_digests()
    [message] = mail.outbox
    assert message.body.startswith("Hallo Dana,")
    assert "OEE 74,8 %" in message.body  # the German decimal comma
    assert "Nicht klassifizierte Stillstände" in message.body
