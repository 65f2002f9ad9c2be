"""Preventive maintenance end to end: the planner defines a schedule, the generator makes the
work order, the technician does it on a tablet (lockout, checklist, parts), the supervisor
verifies it."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from logbook.maintenance import services
from logbook.maintenance.models import MaintenanceSchedule, SparePart, WorkOrder
from tests.browser.conftest import PHONE, TABLET
from tests.factories import PASSWORD, weekly_pm_order
from tests.timeline import NOW


def test_schedule_to_verified_work_order(
    login, live_server, page, clock, planner, technician, supervisor, filler, part, screenshot
):
    # The planner defines the schedule with its checklist.
    login(planner)
    page.goto(f"{live_server.url}/maintenance/schedules/add/?equipment={filler.pk}")
    page.get_by_label("Title").fill("Lubricate the drive chain")
    page.get_by_label("Every").fill("1")
    page.get_by_label("Unit", exact=True).select_option("weeks")
    page.get_by_label("First due / anchor date").fill("2026-06-15")
    page.get_by_label("Tolerance (days)").fill("1")
    page.get_by_label("Lockout/tagout required").check()
    page.get_by_label("Energy sources to isolate").fill("Main switch MCC-3\nCompressed air V12")
    page.locator("[name=checklist-0-text]").fill("Chain slack")
    page.locator("[name=checklist-0-kind]").select_option("measure")
    page.locator("[name=checklist-0-unit]").fill("mm")
    page.locator("[name=checklist-0-lower_limit]").fill("8")
    page.locator("[name=checklist-0-upper_limit]").fill("12")
    page.locator("[name=checklist-1-text]").fill("Oil applied")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Schedule saved; next due 2026-06-15.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The generator runs (cron).
    out = io.StringIO()
    call_command("generate_pm_workorders", stdout=out)
    assert "1 created" in out.getvalue()
    work_order = WorkOrder.objects.get()

    # The technician finds it in "My work" and does it.
    login(technician)
    page.goto(f"{live_server.url}/maintenance/")
    page.get_by_role("link", name="Lubricate the drive chain").click()
    page.get_by_role("button", name="Start the work").click()
    expect(page.get_by_text("The checklist opens once isolation is confirmed.")).to_be_visible()
    _lock_out_and_work(page, work_order, screenshot, "work-order-isolation")
    page.locator("[name=parts-0-part]").fill("LUB-220")
    page.locator("[name=parts-0-quantity]").fill("0.5")
    page.get_by_role("button", name="Complete the work order").click()
    expect(page.get_by_text(f"{work_order.number} completed.")).to_be_visible()
    assert SparePart.objects.get().stock == part.stock - Decimal("0.5")
    page.get_by_role("button", name="Log out").click()

    # The supervisor verifies with a signature.
    login(supervisor)
    page.goto(f"{live_server.url}/maintenance/?status=done")
    page.get_by_role("link", name="Lubricate the drive chain").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Verify and sign").click()
    expect(page.locator(".signature-banner")).to_contain_text("Reviewed by Dana Kowalski")
    work_order.refresh_from_db()
    assert work_order.status == "verified"
    screenshot("work-order-verified")


def _lock_out_and_work(page, work_order, screenshot, name):
    """Both locks on from the schedule's energy sources, the checklist answered and kept across
    a reload (the tablet's browser closed), the locks off with the start-up check."""
    page.get_by_role("link", name="Record the locks").click()
    rows = page.locator(".lock-form .lock-row")
    expect(rows.nth(0).get_by_label("Energy source")).to_have_value("Main switch MCC-3")
    expect(rows.nth(1).get_by_label("Energy source")).to_have_value("Compressed air V12")
    rows.nth(0).get_by_label("Lock no.").fill("17")
    rows.nth(1).get_by_label("Lock no.").fill("18")
    rows.nth(1).get_by_label("Tag no.").fill("T-18")
    page.get_by_role("button", name="Locks and tags are on").click()
    expect(page.get_by_text("Locks recorded: the equipment is locked out.")).to_be_visible()
    expect(page.locator(".lockout-card tr.lock-on")).to_have_count(2)
    expect(page.get_by_role("button", name="Complete the work order")).to_have_count(0)
    # Taken here, not just before a click: after a full-page screenshot headless Chromium was
    # seen scrolling between a click's press and release, so that the click missed its button.
    screenshot(name)

    slack = page.get_by_label("Chain slack (mm)")
    slack.fill("13")
    expect(slack).to_have_class("measure out")  # red before saving
    slack.fill("10")
    expect(slack).to_have_class("measure")
    page.get_by_role("group", name="Oil applied").get_by_text("Done", exact=True).click()
    expect(page.locator(".autosave-status")).to_contain_text("Kept at")
    page.reload()
    expect(page.get_by_label("Chain slack (mm)")).to_have_value("10")
    expect(
        page.get_by_role("group", name="Oil applied").get_by_label("Done", exact=True)
    ).to_be_checked()
    assert work_order.checklist.get(text="Chain slack").value == Decimal("10")

    # The last lock comes off only with the start-up check.
    unlock = page.locator(".unlock-form")
    unlock.get_by_text("17 · Main switch MCC-3").click()
    unlock.get_by_text("18 · Compressed air V12").click()
    page.get_by_role("button", name="Locks removed").click()
    expect(page.locator(".unlock-form [role=alert], .unlock-form .form-errors")).to_be_visible()
    unlock = page.locator(".unlock-form")
    expect(unlock.get_by_label("17 · Main switch MCC-3")).to_be_checked()  # the ticks stay
    unlock.get_by_label("Start-up check done").check()
    page.get_by_role("button", name="Locks removed").click()
    expect(page.get_by_text("Locks removed.")).to_be_visible()
    expect(page.locator(".lockout-card tr.lock-on")).to_have_count(0)
    expect(page.get_by_role("button", name="Locks and tags are on")).to_be_hidden()  # folded
    expect(page.get_by_text("Lock out again")).to_be_visible()
    assert not work_order.isolation_points.filter(removed_at__isnull=True).exists()
    page.get_by_label("Findings").fill("Chain was dry on the drive side")
    page.get_by_label("Labour (minutes)").fill("35")


def _pm_order(filler):
    """A weekly lubrication of the filler with its energy sources and checklist; its work order,
    generated."""
    return weekly_pm_order(
        filler,
        [
            {
                "text": "Chain slack",
                "kind": "measure",
                "unit": "mm",
                "lower_limit": 8,
                "upper_limit": 12,
            },
            {"text": "Oil applied", "kind": "check"},
        ],
        lockout_required=True,
        energy_sources="Main switch MCC-3\nCompressed air V12",
    )


def test_checklist_answers_wait_for_the_connection(
    login, live_server, page, clock, technician, filler
):
    work_order = services.work_order_start(work_order=_pm_order(filler), user=technician)
    points = [{"source": "Main switch MCC-3", "lock_number": "17"}]
    services.lockout_apply(work_order=work_order, user=technician, points=points)
    page.clock.install(time=NOW)  # the tablet's clock is the plant's (checked when it sends)
    login(technician)
    page.goto(f"{live_server.url}{work_order.get_absolute_url()}")
    status = page.locator(".autosave-status")
    waiting = page.locator("li.queued")
    page.context.set_offline(True)
    page.get_by_label("Chain slack (mm)").fill("11")
    expect(status).to_contain_text("No connection: kept on this tablet")
    expect(waiting).to_contain_text(f"Checklist of {work_order.number}")
    expect(waiting).to_contain_text("Waiting to send")
    page.context.set_offline(False)  # back: the answer goes by itself, the page is read again
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(waiting).to_have_count(0)
    expect(page.get_by_label("Chain slack (mm)")).to_have_value("11")
    assert work_order.checklist.get(text="Chain slack").value == Decimal("11")

    # An answer the server never got (the Wi-Fi up, the server out of reach), then the page
    # opened again: shown as waiting, then sent.
    page.route("**/checklist/", lambda route: route.abort())
    page.get_by_role("group", name="Oil applied").get_by_text("Done", exact=True).click()
    expect(status).to_contain_text("No connection")
    page.unroute("**/checklist/")
    page.reload()
    done = page.get_by_role("group", name="Oil applied").get_by_label("Done", exact=True)
    expect(waiting).to_have_count(0)
    expect(done).to_be_checked()
    assert work_order.checklist.get(text="Oil applied").done is True


def test_the_locks_and_the_checklist_on_a_phone(
    login, live_server, page, clock, technician, filler, part, screenshot
):
    work_order = _pm_order(filler)
    page.set_viewport_size(PHONE)
    login(technician)
    page.goto(f"{live_server.url}{work_order.get_absolute_url()}")
    page.get_by_role("button", name="Start the work").click()
    _lock_out_and_work(page, work_order, screenshot, "work-order-locks-phone")
    page.get_by_role("button", name="Complete the work order").click()
    expect(page.get_by_text(f"{work_order.number} completed.")).to_be_visible()
    work_order.refresh_from_db()
    assert work_order.status == "done" and work_order.startup_checked_by == technician


def test_the_plan_a_repair_from_the_equipment_page_and_work_sent_back(
    login, live_server, page, clock, planner, technician, supervisor, filler, part, screenshot
):
    # An order five days late on the technician's line, and a part below its reorder point.
    technician.home_line = filler.line
    technician.save(update_fields=["home_line"])
    late = services.work_order_create(
        equipment=filler,
        user=supervisor,
        title="Tighten the conveyor belt",
        due_at=NOW - datetime.timedelta(days=5),
    )
    SparePart.objects.create(
        part_number="BLT-40", description="Capper belt", unit="pc", stock=1, reorder_point=2
    )

    # The planner sees what is late, what falls due, and what to reorder.
    login(planner)
    page.get_by_role("link", name="Maintenance plan").click()
    expect(page.locator("section", has=page.locator("#od-h"))).to_contain_text(late.title)
    expect(page.locator("section", has=page.locator("#re-h"))).to_contain_text("BLT-40")
    expect(page.locator("section", has=page.locator("#re-h"))).not_to_contain_text("LUB-220")
    screenshot("maintenance-plan")
    page.get_by_role("button", name="Log out").click()

    # The technician raises a repair from the equipment page and finds it in "My work".
    login(technician)
    page.goto(f"{live_server.url}/equipment/{filler.pk}/")
    page.get_by_role("link", name="Raise work order").click()
    page.get_by_label("What needs doing").fill("Replace the cracked star wheel")
    page.get_by_text("High", exact=True).click()
    page.get_by_label("Assign to").select_option(label="Sam Taylor")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"WO-\S+ raised\."))).to_be_visible()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=re.compile(r"My work \(\d+\)")).click()
    cards = page.locator("ul.cards li")
    expect(cards.first).to_contain_text("Tighten the conveyor belt")  # the late one first
    expect(cards.first.locator(".badge").first).to_have_text("Overdue")
    page.get_by_role("link", name=re.compile("Replace the cracked star wheel")).click()
    page.get_by_role("button", name="Start the work").click()
    page.get_by_label("Findings").fill("Star wheel replaced")
    page.get_by_role("button", name="Complete the work order").click()
    expect(page.get_by_text(re.compile(r"WO-\S+ completed\."))).to_be_visible()
    repair = page.url
    page.get_by_role("button", name="Log out").click()

    # The supervisor sends it back with the reason; the technician reads it on the order.
    login(supervisor)
    page.goto(repair)
    page.get_by_text("Send it back instead").click()
    page.get_by_label("Reason").fill("Log the torque of the new wheel's bolts")
    page.get_by_role("button", name="Send back").click()
    expect(page.get_by_text("Sent back.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    login(technician)
    page.goto(repair)
    sent_back = page.get_by_role("status").filter(has_text="Sent back")
    expect(sent_back).to_contain_text("Log the torque of the new wheel's bolts")
    expect(page.get_by_role("button", name="Complete the work order")).to_be_visible()


def test_a_meter_schedule_offers_the_meters_of_the_typed_machine(
    login, live_server, page, clock, planner, filler, run_hours
):
    login(planner)
    page.goto(f"{live_server.url}/maintenance/plan/")
    page.get_by_role("link", name="New schedule").click()
    meter = page.get_by_label("Meter")
    expect(meter.locator("option")).to_have_count(1)  # nothing to choose before the machine
    page.get_by_label("Equipment").fill("l1-fil-01")
    page.get_by_label("Title").click()  # leaving the tag field fills the meter list
    expect(meter.locator("option")).to_have_text(["---------", "Run hours (h)"])
    page.get_by_label("Title").fill("Change the gearbox oil")
    page.get_by_label("Every").fill("500")
    page.get_by_label("Unit", exact=True).select_option("meter")
    meter.select_option(label="Run hours (h)")
    page.get_by_label("First due / anchor date").fill("2026-06-15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Schedule saved")).to_be_visible()
    assert MaintenanceSchedule.objects.get().meter == run_hours


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_full_tile_reads_99_plus_and_its_list_counts_them_all(
    login, live_server, page, clock, supervisor, filler, screenshot, size
):
    """Past 99 a home tile stops counting; the supervisor taps it and the list counts them all."""
    WorkOrder.objects.bulk_create(
        WorkOrder(kind="corrective", equipment=filler, title=f"Job {n}", due_at=NOW, status="done")
        for n in range(100)
    )
    page.set_viewport_size(size)
    login(supervisor)
    tile = page.get_by_role("link", name=re.compile(r"Work to verify \(99\+\)"))
    expect(tile).to_be_visible()
    screenshot(f"home-tile-capped-{'phone' if size == PHONE else 'tablet'}")
    tile.click()
    expect(page.locator("p.count")).to_contain_text("100 ")


def test_completing_cancels_the_checklist_save_still_pending(
    login, live_server, page, clock, technician, filler
):
    """The findings typed and "Complete" pressed at once: the form carries the answers, so the
    autosave still waiting to go never reaches the server (it raced the completion and was
    refused, once the order was done)."""
    work_order = services.work_order_start(work_order=_pm_order(filler), user=technician)
    points = [{"source": "Main switch MCC-3", "lock_number": "17"}]
    services.lockout_apply(work_order=work_order, user=technician, points=points)
    services.lockout_remove(
        work_order=work_order,
        user=technician,
        points=work_order.isolation_points.all(),
        startup_checked=True,
    )
    login(technician)
    page.goto(f"{live_server.url}{work_order.get_absolute_url()}")
    saves = []
    page.on("request", lambda r: r.method == "POST" and "/checklist/" in r.url and saves.append(r))
    # The completion held in the browser, as a slow server would hold it.
    page.evaluate(
        "document.querySelector('.checklist-form')"
        ".addEventListener('submit', (event) => event.preventDefault())"
    )
    page.get_by_label("Findings").fill("Chain was dry")
    page.get_by_role("button", name="Complete the work order").click()
    page.wait_for_timeout(1500)  # the autosave waits 600 ms after the last keystroke
    assert saves == []
