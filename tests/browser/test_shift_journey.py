"""The heart of the product on a tablet: a technician logs a shift and hands it over, the next
one acknowledges, a supervisor signs it off and later corrects it by amendment."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from logbook.shifts import services
from logbook.shifts.models import LogEntry, Shift
from tests.factories import PASSWORD, UserFactory
from tests.timeline import TODAY, at


@pytest.fixture
def plant(clock, line, patterns, filler, technician, supervisor):
    incoming = UserFactory(
        username="tech2",
        first_name="Maria",
        last_name="Lopez",
        roles=["technician"],
        member_of=[line.area.site],
    )
    return {"line": line, "incoming": incoming}


def test_a_shift_from_start_to_sign_off_and_amendment(
    login, live_server, page, plant, technician, supervisor, screenshot
):
    # The technician starts the shift from the home page.
    login(technician)
    page.get_by_role("link", name="My shift").first.click()
    expect(page.get_by_text("Nobody has started this shift yet.")).to_be_visible()
    page.get_by_role("button", name="Start the shift").click()
    expect(page.get_by_role("heading", name="Early · Mon 15 Jun 2026")).to_be_visible()

    # A log entry in a few taps.
    entry = page.locator("#new-entry")
    entry.get_by_text("Maintenance", exact=True).click()
    entry.get_by_label("Equipment").fill("L1-FIL-01")
    entry.get_by_label("Text").fill("Greased the filler drive chain")
    entry.get_by_role("button", name="Add entry").click()
    expect(page.get_by_text("Entry added.")).to_be_visible()
    first = page.locator(".timeline .entry").first
    expect(first).to_contain_text("Greased the filler drive chain")
    expect(first).to_contain_text("L1-FIL-01")
    expect(first).to_contain_text("Sam Taylor")
    expect(first.locator("time")).to_have_text("10:00")

    entry = page.locator("#new-entry")
    entry.get_by_text("Safety", exact=True).click()
    entry.get_by_label("Text").fill("Guard interlock tested")
    entry.get_by_role("button", name="Add entry").click()
    expect(page.locator(".timeline .entry").first).to_contain_text("Guard interlock tested")

    # Production counts.
    counts = page.locator(".counts-form")
    counts.get_by_label("Product").fill("Cola 0.5 L PET")
    counts.get_by_label("Produced").fill("98000")
    counts.get_by_label("Good", exact=True).fill("97100")
    counts.get_by_label("Ideal cycle time (s/unit)").fill("0.15")
    counts.get_by_label("Planned stops (min)").fill("30")
    counts.get_by_role("button", name="Save counts").click()
    expect(page.get_by_role("cell", name="97100")).to_be_visible()
    screenshot("shift-page")

    # Hand over: the records are compiled; the technician adds what they cannot say.
    handover = page.locator("#handover")
    expect(handover.locator(".handover-preview")).to_contain_text("98,000 made, 97,100 good")
    handover.get_by_label("What the records cannot say").fill("Filler ran well; capper noisy.")
    handover.get_by_label("Open items").fill("Order a spare capper belt")
    handover.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Handed over", exact=True).first).to_be_visible()
    expect(page.get_by_text("Not yet acknowledged by the next shift.")).to_be_visible()
    shift = Shift.objects.get()
    page.get_by_role("button", name="Log out").click()

    # The incoming technician answers each carried item, one by one.
    login(plant["incoming"], PASSWORD)
    page.goto(f"{live_server.url}/shifts/{shift.pk}/")
    items = page.locator("#handover .handover-item")
    expect(items).to_have_count(2)
    production = items.filter(has_text="98,000 made")
    production.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Answer kept.")).to_be_visible()
    expect(production).to_contain_text("Accepted — Maria Lopez")
    expect(page.get_by_text("Not yet acknowledged by the next shift.")).to_be_visible()
    belt = items.filter(has_text="Order a spare capper belt")
    belt.get_by_label("Question or note").fill("Which supplier, and is it urgent?")
    belt.get_by_role("button", name="Ask").click()
    expect(belt).to_contain_text("Question — Maria Lopez")
    expect(page.get_by_text("Acknowledged by Maria Lopez")).to_be_visible()  # the last answer
    # The question stays on the line as an open item.
    expect(page.locator(".open-items")).to_contain_text("Which supplier, and is it urgent?")
    screenshot("handover-answered")
    page.get_by_role("button", name="Log out").click()

    # The supervisor signs it off: a wrong password signs nothing.
    login(supervisor)
    page.get_by_role("link", name="Shifts to sign off").click()
    page.get_by_role("link", name="2026-06-15").click()
    sign = page.locator(".sign-off")
    # The shift still runs: signing it now asks why, and the signature will say it.
    expect(sign).to_contain_text("The shift runs until 14:00.")
    sign.get_by_label("Reason for signing off now").fill("Line down for the rest of the shift")
    sign.get_by_text("Approved", exact=True).click()
    sign.get_by_label("Your password").fill("not my password")
    sign.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("The password is not correct: nothing was signed.")).to_be_visible()
    page.get_by_label("Approved").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign off").click()
    banner = page.locator(".signature-banner")
    expect(banner).to_contain_text("Approved by Dana Kowalski")
    expect(banner).to_contain_text("Signed early: Line down for the rest of the shift")
    expect(page.locator("#new-entry")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    # A correction after sign-off is an amendment; the original stays visible.
    original = page.locator(".timeline .entry", has_text="Greased the filler drive chain")
    original.get_by_role("link", name="Amend").click()
    page.get_by_label("Text").fill("Greased the filler drive chain and the capper chain")
    page.get_by_label("Reason for the amendment").fill("The capper chain was greased too")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Amendment recorded; the original stays visible.")).to_be_visible()
    amendment = page.locator(".timeline .entry.amendment")
    expect(amendment).to_contain_text("and the capper chain")
    expect(amendment).to_contain_text("The capper chain was greased too")
    expect(page.locator(".timeline .entry.amended")).to_contain_text("Amended")
    assert LogEntry.objects.get(amended_by__isnull=False).text == "Greased the filler drive chain"
    screenshot("shift-signed-and-amended")


def test_log_for_this_equipment_from_its_page(login, live_server, page, plant, technician, filler):
    login(technician)
    page.goto(f"{live_server.url}/equipment/{filler.pk}/")
    page.get_by_role("link", name="Log for this equipment").click()
    expect(page.get_by_text("No shift is running on line L1")).to_be_visible()
    page.get_by_role("button", name="Start the shift").click()
    page.goto(f"{live_server.url}/equipment/{filler.pk}/")
    page.get_by_role("link", name="Log for this equipment").click()
    expect(page.locator("#new-entry").get_by_label("Equipment")).to_have_value(
        "L1-FIL-01 – Rotary filler"
    )


def test_a_supervisor_finds_shifts_corrects_one_prints_it_and_reads_its_audit_trail(
    login, live_server, page, clock, line, patterns, technician, supervisor, screenshot
):
    yesterday = TODAY - datetime.timedelta(days=1)
    shifts = {}
    for name in ("Early", "Late", "Night"):
        shifts[name] = services.shift_start(
            line=line, pattern=patterns[name], date=yesterday, user=technician
        )
    services.log_entry_add(
        shift=shifts["Late"],
        user=technician,
        category="maintenance",
        text="Filler jamed twice",
        occurred_at=at(17, day=yesterday),
    )
    for name in ("Early", "Late"):
        services.shift_hand_over(shift=shifts[name], user=technician, summary="Ran well")
    services.handover_acknowledge(shift=shifts["Early"], user=supervisor)
    services.shift_sign_off(
        shift=shifts["Early"], user=supervisor, password=PASSWORD, meaning="approved"
    )

    # The shift list, filtered to what waits for a signature, and its export.
    login(supervisor)
    page.get_by_role("link", name="Shifts", exact=True).click()
    expect(page.get_by_text("3 shifts")).to_be_visible()
    page.get_by_text("Filters").click()
    page.get_by_label("Status").select_option(label="Handed over")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 shift", exact=True)).to_be_visible()
    row = page.locator("table.table tbody tr")
    expect(row).to_contain_text("Late")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [(r["Shift"], r["Status"]) for r in exported] == [("Late", "Handed over")]

    # A supervisor corrects a technician's entry before signing; the audit trail shows it.
    row.get_by_role("link").first.click()
    entry = page.locator(".timeline .entry", has_text="Filler jamed twice")
    entry.get_by_role("link", name="Edit").click()
    page.get_by_label("Text").fill("Filler jammed twice")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Entry saved.")).to_be_visible()
    page.get_by_role("link", name="Audit trail").click()
    change = page.locator("table.audit tbody tr", has_text="Filler jammed twice").first
    expect(change).to_contain_text("Dana Kowalski")
    expect(change.locator("del")).to_have_text("Filler jamed twice")
    screenshot("shift-audit-trail")

    # The printable report of the signed shift.
    page.goto(f"{live_server.url}/shifts/?status=signed")
    page.locator("table.table tbody tr").get_by_role("link").first.click()
    page.get_by_role("link", name="Shift report").click()
    expect(page.get_by_role("heading", name=re.compile("Shift report"))).to_be_visible()
    expect(page.locator("body")).to_contain_text("Approved by Dana Kowalski")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    screenshot("shift-report-print")
