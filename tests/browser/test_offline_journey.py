"""The plant's Wi-Fi drops: the technician keeps logging on the tablet, and every entry arrives
exactly once when the connection is back (static/js/offline.js, templates/sw.js)."""

import json
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from logbook.downtime.models import DowntimeIncident
from logbook.maintenance import services as maintenance
from logbook.quality.models import Inspection, InspectionPlan
from logbook.quality.services import plan_save
from logbook.shifts import services
from logbook.shifts.models import LogEntry, ProductionRecord
from logbook.workrequests.models import WorkRequest
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, UserFactory, photo_upload, weekly_pm_order
from tests.timeline import NOW, TODAY


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    # The other browser tests run without the service worker (Playwright's request routing,
    # which they use to keep pages off other hosts, does not see what a worker answers); these
    # are about it. The browser's clock and zone are the plant's.
    return {**browser_context_args, "service_workers": "allow", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def running(clock, line, patterns, filler, technician, supervisor, page):
    page.clock.install(time=NOW)
    return services.shift_start(line=line, pattern=patterns["Early"], date=TODAY, user=technician)


def open_my_shift_and_keep_it(page, live_server, *also):
    """The tablet opens "My shift" online once: the worker comes and keeps it, and the other
    pages it fetches ahead (``also``: "Machine down")."""
    page.get_by_role("link", name="My shift").first.click()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The worker keeps "My shift" under its own address (it is a redirect to today's shift).
    wait_kept(page, "/shifts/my/", *also)


def wait_kept(page, *urls):
    """Until the worker keeps a copy of each of ``urls``. (Polled from here: wait_for_function
    does not wait for an async predicate's answer.)"""
    kept = """async (url) => {
        for (const name of await caches.keys()) {
            if (!name.startsWith("logbook-pages-")) continue;
            if (await (await caches.open(name)).match(url)) return true;
        }
        return false;
    }"""
    for url in urls:
        deadline = time.monotonic() + 10
        while not page.evaluate(kept, url):
            assert time.monotonic() < deadline, f"the worker kept no copy of {url}"
            time.sleep(0.1)


def offline_to_my_shift(page, live_server):
    """The Wi-Fi drops; "My shift" is opened again, from the tablet's copy."""
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/shifts/my/")


def log_offline(page, category, text):
    entry = page.locator("#new-entry")
    entry.get_by_text(category, exact=True).click()
    entry.get_by_label("Text").fill(text)
    entry.get_by_role("button", name="Add entry").click()


def queue(page):
    return json.loads(page.evaluate("localStorage.getItem('logbook-queue') || '[]'"))


def work_order_with_three_steps(filler, technician):
    """The weekly lubrication of the filler, generated, started by the technician."""
    checklist = [
        {
            "text": "Chain slack",
            "kind": "measure",
            "unit": "mm",
            "lower_limit": 8,
            "upper_limit": 12,
        },
        {"text": "Oil applied", "kind": "check"},
        {"text": "Guard refitted", "kind": "check"},
    ]
    work_order = weekly_pm_order(filler, checklist)
    return maintenance.work_order_start(work_order=work_order, user=technician)


def test_a_shift_logged_offline_arrives_once_in_order_with_its_times(
    login, live_server, page, running, technician, filler, line, clock, screenshot
):
    technician.home_line = line
    technician.save(update_fields=["home_line"])
    work_order = work_order_with_three_steps(filler, technician)
    login(technician)
    # The tablet keeps what the floor needs without being asked: "Machine down", the floor
    # cards of the line's machines, the technician's open work orders.
    ahead = ("/downtime/new/", f"/equipment/{filler.pk}/card/", work_order.get_absolute_url())
    open_my_shift_and_keep_it(page, live_server, *ahead)

    # The Wi-Fi drops; "My shift" opens from the tablet's copy, which says so.
    offline_to_my_shift(page, live_server)
    bar = page.locator("#offline-bar")
    expect(bar).to_contain_text("Offline · saved copy from 10:0")
    expect(page.get_by_role("heading", name="Early · Mon 15 Jun 2026")).to_be_visible()

    # Two entries, a few minutes apart, shown at once as waiting.
    page.clock.fast_forward("04:00")
    log_offline(page, "Maintenance", "Nozzle 4 dripping, tightened")
    page.clock.fast_forward("03:00")
    log_offline(page, "Quality", "Label skew on 3 bottles, rejected")
    expect(bar).to_contain_text("2 records waiting to send")
    waiting = page.locator(".timeline li.queued")
    expect(waiting).to_have_count(2)
    expect(waiting.first).to_contain_text("Label skew on 3 bottles")
    expect(waiting.first).to_contain_text("Waiting to send")
    expect(waiting.first.locator("time")).to_have_text("10:07")
    assert not LogEntry.objects.exists()
    screenshot("offline-queue")

    # The filler stops at 10:09 (Machine down, from the copy kept of its form); it runs again
    # at 10:21. Both taps wait, with their times.
    page.clock.fast_forward("02:00")
    page.get_by_role("link", name="Machine down").click()
    page.get_by_role("button", name="Rotary filler").click()
    page.get_by_label("Symptom").fill("Bottles falling at the infeed")
    page.get_by_role("button", name="It is down").click()
    stop = page.locator("li.queued", has_text="L1-FIL-01")
    expect(stop).to_contain_text("Waiting to send")
    expect(stop.locator("time")).to_have_text("10:09")
    page.clock.fast_forward("12:00")
    stop.get_by_role("button", name="Running again").click()
    expect(stop).to_contain_text("Running again · 10:21")
    expect(stop.get_by_role("button", name="Running again")).to_be_hidden()
    expect(bar).to_contain_text("4 records waiting to send")
    screenshot("offline-machine-down")

    # Three checklist steps of the work order, answered from its kept copy.
    page.clock.fast_forward("03:00")
    page.goto(f"{live_server.url}{work_order.get_absolute_url()}")
    page.get_by_label("Chain slack (mm)").fill("11")
    page.get_by_role("group", name="Oil applied").get_by_text("Done", exact=True).click()
    page.get_by_role("group", name="Guard refitted").get_by_text("Done", exact=True).click()
    expect(page.locator(".autosave-status")).to_contain_text("No connection")
    sent_once = queue(page)
    assert not DowntimeIncident.objects.exists()

    # Back online: all of it goes by itself, in order, each once, with the times it happened.
    clock.shift(24 * 60)  # the minutes the tablet lived through offline
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(bar).to_be_hidden()
    expect(page.locator("li.queued")).to_have_count(0)  # the page read again, as the server has it
    expect(page.get_by_label("Chain slack (mm)")).to_have_value("11")
    steps = {step.text: step for step in work_order.checklist.all()}
    assert steps["Chain slack"].value == Decimal("11")
    assert steps["Oil applied"].done and steps["Guard refitted"].done
    entries = list(LogEntry.objects.order_by("pk"))
    assert [e.text for e in entries] == [
        "Nozzle 4 dripping, tightened",
        "Label skew on 3 bottles, rejected",
    ]
    local = NOW.tzinfo

    def hhmm(moment):
        return moment.astimezone(local).strftime("%H:%M")

    assert [hhmm(e.occurred_at) for e in entries] == ["10:04", "10:07"]
    assert all(e.recorded_offline_at == e.occurred_at for e in entries)
    assert all(e.created_at > e.occurred_at for e in entries)
    incident = DowntimeIncident.objects.get()
    assert (incident.equipment, incident.symptom) == (filler, "Bottles falling at the infeed")
    assert (hhmm(incident.started_at), hhmm(incident.ended_at)) == ("10:09", "10:21")
    assert incident.recorded_offline_at == incident.started_at
    assert incident.reported_by == technician

    # The shift shows its entries as logged offline.
    page.get_by_role("link", name="My shift").first.click()
    expect(page.locator(".timeline .offline-badge")).to_have_count(2)

    # The same queue sent again (a tablet that never heard the first answers): nothing new.
    page.evaluate(f"localStorage.setItem('logbook-queue', {json.dumps(json.dumps(sent_once))})")
    page.reload()
    page.wait_for_function("() => localStorage.getItem('logbook-queue') === '[]'")
    page.wait_for_load_state()
    expect(page.locator(".timeline .offline-badge")).to_have_count(2)
    assert LogEntry.objects.count() == 2
    assert DowntimeIncident.objects.get() == incident


def test_a_shift_signed_off_meanwhile_refuses_the_entries_they_become_a_late_entry_or_a_new_one(
    login, live_server, page, running, technician, supervisor, patterns, line, clock
):
    page.set_viewport_size(PHONE)  # this time on the technician's phone
    login(technician)
    open_my_shift_and_keep_it(page, live_server)
    offline_to_my_shift(page, live_server)
    log_offline(page, "Maintenance", "Nozzle 4 replaced, dripping stopped")
    page.clock.fast_forward("03:00")
    log_offline(page, "Note", "Conveyor 2 guard loose")

    # Meanwhile the shift is handed over (from another tablet) and the supervisor signs it off.
    services.shift_hand_over(shift=running, user=technician, summary="Handed over early")
    signed = services.shift_sign_off(
        shift=running, user=supervisor, password=PASSWORD, meaning="reviewed", reason="Audit"
    )
    clock.shift(180)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator(".timeline li.queued.refused")
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("Refused:")
    expect(refused.first).to_contain_text("signed")
    expect(page.locator("#offline-bar")).to_contain_text("2 records refused")
    assert not LogEntry.objects.exists()

    # The repair belongs to the early shift: one tap adds it there as a late entry, dated when
    # it was logged, marked as added after the sign-off with the reason. The signed records stay.
    nozzle = refused.filter(has_text="Nozzle 4 replaced")
    nozzle.get_by_role("button", name="Add it as a late entry").click()
    late = page.locator(".timeline li.entry", has_text="Nozzle 4 replaced")
    expect(late).to_contain_text("Late entry")
    expect(late).to_contain_text(
        "Logged on a tablet without a connection at 10:00; the shift was signed off before it "
        "arrived."
    )
    expect(late.locator(".offline-badge")).to_be_visible()
    entry = LogEntry.objects.get()
    assert entry.shift == running and entry.amends is None
    assert entry.occurred_at.astimezone(NOW.tzinfo).strftime("%H:%M") == "10:00"
    assert entry.created_at > signed.signature.signed_at
    assert LogEntry.objects.filter(shift=running).count() == 1

    # The late shift: the technician logs in again; the bar still says a record was refused
    # and leads to it. One tap makes it a new entry on the shift running now, nothing retyped.
    clock.shift(4 * 3600 + 60)
    page.clock.fast_forward("04:01:00")
    services.shift_start(line=line, pattern=patterns["Late"], date=TODAY, user=technician)
    login(technician)
    page.locator("#offline-bar").get_by_role("link", name="1 record refused: see why").click()
    expect(refused).to_contain_text("Conveyor 2 guard loose")
    refused.get_by_role("button", name="Make it a new entry").click()
    page.wait_for_url("**/shifts/*/")
    expect(page.get_by_role("heading", name="Late · Mon 15 Jun 2026")).to_be_visible()
    expect(page.locator("#new-entry").get_by_label("Text")).to_have_value("Conveyor 2 guard loose")
    page.locator("#new-entry").get_by_role("button", name="Add entry").click()
    expect(page.get_by_text("Entry added.")).to_be_visible()
    assert LogEntry.objects.latest("pk").shift.pattern.name == "Late"
    assert queue(page) == []

    # The Wi-Fi is up but reaches no server: the tablet believes it is online, the entry is kept
    # all the same (not the browser's error page), and goes on "Send now".
    def no_route(route):
        route.abort()

    page.route("**/*", no_route)
    log_offline(page, "Note", "Access point by the palletiser down")
    expect(page.locator(".timeline li.queued")).to_contain_text("Waiting to send")
    page.unroute("**/*", no_route)  # (the check that no page asks another host stays)
    page.locator("#offline-bar").get_by_role("button", name="Send now").click()
    expect(page.locator(".timeline li.queued")).to_have_count(0)
    expect(page.get_by_text("Access point by the palletiser down")).to_be_visible()
    assert LogEntry.objects.count() == 3


def test_counts_an_inspection_a_request_and_the_handover_wait_offline_and_arrive_on_a_phone(
    login, live_server, page, running, technician, quality, filler, line, clock, screenshot
):
    page.set_viewport_size(PHONE)
    technician.home_line = line
    technician.save(update_fields=["home_line"])
    plan = plan_save(
        plan=InspectionPlan(name="Final check", product="Cola 0.5 L PET", line=line),
        user=quality,
        characteristics=[
            {"name": "Fill volume", "kind": "variable", "lsl": 495, "usl": 505, "unit": "ml"}
        ],
    )
    login(technician)
    # Kept ahead: the line's request form, and the inspection forms of the shift running now.
    inspect = f"/quality/inspect/?plan={plan.pk}&shift={running.pk}"
    open_my_shift_and_keep_it(page, live_server, "/requests/add/", inspect)
    offline_to_my_shift(page, live_server)

    # The counts at 10:00, a request from the filler's card at 10:05, the handover at 10:10.
    counts = page.locator(".counts-form")
    counts.get_by_label("Product").fill("Cola 0.5 L PET")
    counts.get_by_label("Produced").fill("98000")
    counts.get_by_label("Good", exact=True).fill("97100")
    counts.get_by_label("Ideal cycle time (s/unit)").fill("0.15")
    counts.get_by_role("button", name="Save counts").click()
    waiting_counts = page.locator("ul[data-queue-template=queued-counts] li.queued")
    expect(waiting_counts.locator(".cat")).to_have_text("Cola 0.5 L PET")
    expect(waiting_counts.locator(".entry-text")).to_have_text("98000 · 97100")
    # A sample of the batch, inspected from "My shift" (its copies kept ahead).
    page.get_by_role("link", name="Inspect").click()
    page.get_by_role("link", name="Cola 0.5 L PET").click()
    page.get_by_label("Batch / lot").fill("L1-0615-E")
    page.get_by_label("Fill volume (ml)").fill("500.2")
    page.get_by_role("button", name="Save the inspection").click()
    expect(page.locator("li.queued")).to_contain_text("L1-0615-E")
    page.clock.fast_forward("05:00")
    page.goto(f"{live_server.url}/requests/add/?equipment={filler.pk}")
    page.get_by_role("button", name="Rotary filler").click()
    page.get_by_label("What is wrong").fill("Infeed guide rail worn")
    photo = {"name": "rail.jpg", "mimeType": "image/jpeg", "buffer": photo_upload().read()}
    page.get_by_label("Photo").set_input_files(files=[photo])
    page.get_by_role("button", name="Send the request").click()
    # The photo cannot wait on the tablet: the request says it goes without it.
    expect(page.locator("li.queued")).to_contain_text("Infeed guide rail worn")
    expect(page.locator("li.queued")).to_contain_text("kept without its photo")
    page.clock.fast_forward("05:00")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="My shift").first.click()
    handover = page.locator("#handover")
    handover.get_by_label("What the records cannot say").fill("Capper noisy, watch it")
    handover.get_by_role("button", name="Hand over").click()
    expect(handover.locator("li.queued")).to_contain_text("Handover")
    expect(page.locator("#offline-bar")).to_contain_text("4 records waiting to send")
    screenshot("offline-handover-phone")
    assert not ProductionRecord.objects.exists()

    clock.shift(600)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#offline-bar")).to_be_hidden()
    expect(handover).to_contain_text("Capper noisy, watch it")
    record = ProductionRecord.objects.get()
    assert (record.product, record.produced_count, record.good_count) == (
        "Cola 0.5 L PET",
        98000,
        97100,
    )
    inspection = Inspection.objects.get()
    assert (inspection.shift, inspection.batch) == (running, "L1-0615-E")
    assert inspection.verdict == "pass"
    assert inspection.inspected_at.astimezone(NOW.tzinfo).strftime("%H:%M") == "10:00"
    request = WorkRequest.objects.get()
    assert (request.equipment, request.requested_by) == (filler, technician)
    running.refresh_from_db()
    handed = running.handover.handed_over_at.astimezone(NOW.tzinfo).strftime("%H:%M")
    assert handed == "10:10"


def test_another_person_on_the_same_tablet_sees_and_sends_nothing_of_the_first(
    login, live_server, page, running, technician, line
):
    login(technician)
    open_my_shift_and_keep_it(page, live_server)
    offline_to_my_shift(page, live_server)
    log_offline(page, "Note", "Sam's private remark")

    # Logging out while the record cannot be sent asks first; "Cancel" keeps the person in.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#offline-bar")).to_contain_text("1 record waiting to send")
    for _ in range(50):  # the question comes once the tablet found it cannot send
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == [
        "A record made without a connection is not sent yet. It stays on this tablet and is "
        "sent when you log in again. Log out?"
    ]
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # The session ends on the shared tablet (idle time) without a log-out; the next person.
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    bar = page.locator("#offline-bar")
    expect(bar).to_contain_text("1 record waiting to send")
    expect(bar).to_contain_text("Log in again to send them")
    expect(bar.get_by_role("link", name="Log in")).to_be_visible()
    other = UserFactory(username="tech2", roles=["technician"], member_of=[line.area.site])
    login(other)
    page.get_by_role("link", name="My shift").first.click()
    expect(page.get_by_role("heading", name="Early · Mon 15 Jun 2026")).to_be_visible()
    expect(page.locator(".timeline li.queued")).to_have_count(0)
    expect(page.locator("#offline-bar")).to_be_hidden()
    assert not LogEntry.objects.exists()
    # The first person's copies of pages are gone from the tablet.
    kept = page.evaluate(
        "caches.keys().then(names => names.filter(n => n.startsWith('logbook-pages-')))"
    )
    assert kept in ([], [f"logbook-pages-{other.pk}"])

    # Back to the first person: their record is still there, and goes.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    login(technician)
    page.get_by_role("link", name="My shift").first.click()
    expect(page.locator(".timeline .offline-badge")).to_have_count(1)
    assert LogEntry.objects.get().author == technician
