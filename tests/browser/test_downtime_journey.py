"""A machine stops: the technician records it in seconds, walks it through its restoration
stages, classifies it; the list shows the right durations and the machine runs again."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from logbook.downtime import services
from logbook.maintenance.models import WorkOrder
from tests.browser.conftest import PHONE, TABLET
from tests.timeline import at


def test_machine_down_to_classified(
    login, live_server, page, clock, technician, filler, reasons, screenshot
):
    login(technician)
    page.goto(f"{live_server.url}/equipment/{filler.pk}/")
    page.get_by_role("link", name="Machine down").click()
    expect(page.get_by_label("Equipment")).to_have_value("L1-FIL-01 – Rotary filler")
    page.get_by_label("Symptom").fill("Bottles falling at the infeed")
    page.get_by_role("button", name="It is down").click()
    expect(page.get_by_text("L1-FIL-01 is down since 10:00.")).to_be_visible()
    incident_url = page.url

    # Down everywhere at once.
    page.goto(f"{live_server.url}/equipment/")
    expect(page.get_by_role("row", name="L1-FIL-01")).to_contain_text("Down")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".ongoing")).to_contain_text("L1-FIL-01")

    # Restoration, one tap per stage.
    page.goto(incident_url)
    clock.move_to("2026-06-15T10:06:00+02:00")
    page.get_by_role("button", name="I am on site").click()
    expect(page.get_by_text("Technician on site.")).to_be_visible()
    clock.move_to("2026-06-15T10:25:00+02:00")
    page.get_by_role("button", name="Repair finished").click()
    # (The stop was reported a few seconds after 10:00: it is dated then, to the second.)
    clock.move_to("2026-06-15T10:31:30+02:00")
    page.get_by_role("button", name="Running again").click()
    expect(page.get_by_text("Down for 31 minutes.")).to_be_visible()
    screenshot("incident-stages")

    # Classify and close.
    form = page.locator("#classify")
    form.get_by_label("Reason").select_option(label="Jam")
    form.get_by_label("Cause", exact=True).fill("Worn guide rail at the star wheel")
    form.get_by_label("Action taken").fill("Cleared the bottles, adjusted the guide")
    form.get_by_label("Failure mode").select_option(index=1)
    form.get_by_label("Failure mechanism").select_option(index=1)
    form.get_by_label("Failure cause").select_option(index=1)
    form.get_by_label("Detection method").select_option(index=1)
    form.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_text("Incident classified and closed.")).to_be_visible()
    expect(page.locator(".badge.incident-closed")).to_be_visible()

    # Listed with the right durations; the machine runs again.
    page.goto(f"{live_server.url}/downtime/?asset_tag=L1-FIL-01")
    row = page.get_by_role("row", name="L1-FIL-01")
    expect(row).to_contain_text("31")
    expect(row).to_contain_text("Jam")
    expect(row).to_contain_text("Closed")
    screenshot("downtime-list")
    page.goto(f"{live_server.url}/equipment/{filler.pk}/")
    expect(page.locator(".page-head .badge").first).to_have_text("Running")
    expect(page.locator("#reliability")).to_contain_text("Failures")


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(image, format="PNG")
    return image.getvalue()


def test_a_stop_posted_by_the_machine_is_classified_and_gets_a_repair_order(
    login, live_server, page, clock, technician, supervisor, filler, reasons, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # The machine reported a stop without a reason; it ran again twenty minutes later.
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), source="machine"
    )
    services.incident_stage(incident=incident, user=technician, stage="ended_at", at=at(9, 20))

    # The technician who cleared it adds a photo.
    login(technician)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Photo").set_input_files(
        files=[{"name": "jam.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Incident saved.")).to_be_visible()
    photo = page.get_by_role("img", name="Photo of the stop")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") == 64
    page.get_by_role("button", name="Log out").click()

    # The supervisor finds it among the stops to classify, from the home page.
    login(supervisor)
    page.get_by_role("link", name="Downtime to classify (1)").click()
    row = page.get_by_role("row", name="L1-FIL-01")
    expect(row).to_contain_text("20")
    row.get_by_role("link").first.click()
    form = page.locator("#classify")
    form.get_by_label("Reason").select_option(label="Jam")
    form.get_by_label("Cause", exact=True).fill("Bottle fell at the infeed star wheel")
    form.get_by_label("Action taken").fill("Cleared the bottles")
    for label in ("Failure mode", "Failure mechanism", "Failure cause", "Detection method"):
        form.get_by_label(label).select_option(index=1)
    form.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_text("Incident classified and closed.")).to_be_visible()

    # One tap raises the repair, linked both ways.
    page.get_by_role("link", name="Raise work order").click()
    expect(page.get_by_label("Equipment")).to_have_value(re.compile("L1-FIL-01"))
    page.get_by_label("What needs doing").fill("Replace the worn infeed guide rail")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"WO-\S+ raised\."))).to_be_visible()
    order = WorkOrder.objects.get()
    assert order.downtime_incident_id == incident.pk and order.kind == "corrective"
    page.locator(f"dd a[href='{incident.get_absolute_url()}']").click()
    expect(page.locator("#wo-h + ul")).to_contain_text(order.number)


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_supervisor_classifies_three_stops_at_once(
    login, live_server, page, clock, technician, supervisor, filler, reasons, screenshot, size
):
    page.set_viewport_size(size)
    for start in (7, 8, 9):
        incident = services.incident_open(equipment=filler, user=technician, started_at=at(start))
        services.incident_stage(
            incident=incident, user=technician, stage="ended_at", at=at(start, 5)
        )
    login(supervisor)
    page.goto(f"{live_server.url}/downtime/?kind=unclassified")
    expect(page.get_by_text("3 downtime incidents · 15 min down")).to_be_visible()
    if size is PHONE:  # cards have no table head: each stop is ticked on its card
        expect(page.locator("details.filters")).not_to_have_attribute("open", "")  # folded
        for box in page.locator("table.table tbody input[type=checkbox]").all():
            box.check()
    else:
        page.get_by_label("Tick all").check()
    page.get_by_label("Reason for the ticked stops").select_option(label="Jam")
    screenshot(f"downtime-classify-at-once{'-phone' if size is PHONE else ''}")
    page.get_by_role("button", name="Classify the ticked stops").click()
    expect(page.get_by_text("3 stops classified.")).to_be_visible()
    expect(page.get_by_text("0 downtime incidents")).to_be_visible()  # none left to classify
    page.goto(f"{live_server.url}/downtime/?reason_id={reasons['jam'].pk}")
    expect(page.locator("table.table tbody tr")).to_have_count(3)


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_down_now_shows_the_longest_stops_and_a_link_to_every_one(
    login, live_server, page, clock, supervisor, technician, filler, screenshot, size
):
    """A bad morning: more machines down than "Down now" shows. The supervisor sees the longest
    stops first, taps the link under them and has every open stop in the list."""
    from logbook.downtime.selectors import DOWN_NOW_SHOWN
    from tests.factories import EquipmentFactory

    machines = [filler, *(EquipmentFactory(line=filler.line) for _ in range(DOWN_NOW_SHOWN + 1))]
    for minute, machine in enumerate(machines):
        services.incident_open(equipment=machine, user=technician, started_at=at(8, minute))
    page.set_viewport_size(size)
    login(supervisor)
    down_now = page.locator(".ongoing")
    expect(down_now.locator("li")).to_have_count(DOWN_NOW_SHOWN)
    expect(down_now.locator("li").first).to_contain_text(filler.asset_tag)
    more = down_now.get_by_role("link", name="2 more machines down: see every stop open")
    more.scroll_into_view_if_needed()
    screenshot(f"home-down-now-capped-{'phone' if size == PHONE else 'tablet'}", down_now)
    more.click()
    expect(page).to_have_url(re.compile(r"/downtime/\?state=open"))
    for machine in machines:
        expect(page.locator("main")).to_contain_text(machine.asset_tag)
