"""Preventive maintenance end to end: the planner defines a schedule, the generator makes the
work order, the technician does it on a tablet (lockout, checklist, parts), the supervisor
verifies it."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from logbook.maintenance.models import SparePart, WorkOrder
from tests.factories import PASSWORD
from tests.timeline import NOW


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_schedule_to_verified_work_order(
    login, live_server, page, clock, planner, technician, supervisor, filler, part, screenshot
):
    # The planner defines the schedule with its checklist.
    login(planner)
    page.goto(f"{live_server.url}/maintenance/schedules/add/?equipment={filler.pk}")
    page.get_by_label("Title").fill("Lubricate the drive chain")
    page.get_by_label("Every").fill("1")
    page.get_by_label("Unit").select_option("weeks")
    page.get_by_label("First due / anchor date").fill("2026-06-15")
    page.get_by_label("Tolerance (days)").fill("1")
    page.get_by_label("Lockout/tagout required").check()
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
    screenshot("work-order-isolation")
    expect(page.get_by_text("The checklist opens once isolation is confirmed.")).to_be_visible()
    page.get_by_role("button", name="Equipment isolated, locked and tagged").click()
    slack = page.get_by_label("Chain slack (mm)")
    slack.fill("13")
    expect(slack).to_have_class("measure out")  # red before saving
    slack.fill("10")
    expect(slack).to_have_class("measure")
    page.get_by_role("group", name="Oil applied").get_by_text("Done", exact=True).click()
    page.get_by_label("Findings").fill("Chain was dry on the drive side")
    page.get_by_label("Labour (minutes)").fill("35")
    page.locator("[name=parts-0-part]").select_option("LUB-220")
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
