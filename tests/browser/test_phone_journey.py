"""On a phone (390 × 844): the header in one row with the app and the person, lists as cards of
the fields that matter, the menu with logging out in it."""

from playwright.sync_api import expect

from logbook.downtime import services
from tests.browser.conftest import PHONE
from tests.timeline import at


def test_on_a_phone_lists_are_cards_and_the_header_is_one_row(
    login, live_server, page, clock, technician, supervisor, filler, screenshot
):
    for start in (7, 8):
        incident = services.incident_open(equipment=filler, user=technician, started_at=at(start))
        services.incident_stage(
            incident=incident, user=technician, stage="ended_at", at=at(start, 12)
        )
    page.set_viewport_size(PHONE)
    login(supervisor)

    # The header: one row, the app's mark, the person's name and the menu.
    bar = page.locator(".topbar").bounding_box()
    assert bar["height"] < 70, bar
    expect(page.locator(".topbar .who")).to_contain_text("Dana Kowalski")
    expect(page.locator(".topbar .brand")).to_contain_text("Plant Logbook")
    expect(page.locator(".topbar .brand span")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()

    page.goto(f"{live_server.url}/downtime/")
    cards = page.locator("table.table tbody tr")
    expect(cards).to_have_count(2)
    card = cards.first
    # Each card fits the screen and shows its key fields under their labels, no more.
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(card.locator("td[data-label='Equipment']")).to_be_visible()
    expect(card.locator("td[data-label='Equipment']")).to_contain_text("L1-FIL-01")
    expect(card.locator("td[data-label='Minutes']")).to_contain_text("12")
    expect(card.locator("td[data-label='Symptom']")).to_be_hidden()
    stopped = card.locator("td[data-label='Stopped']")
    assert stopped.bounding_box()["height"] < 80  # the date on one line (three lines were 110)
    screenshot("phone-downtime-list")

    # The menu opens to the sections, logging out among them.
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Shifts", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password")).to_be_visible()
