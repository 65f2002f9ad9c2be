"""The technician's journeys with the keyboard alone (a tablet with a keyboard case, a
technician who cannot use a touch screen), and with the screen enlarged to 200 %.

Every stop of the Tab key on the way must show where the focus is; the order follows the page;
nothing traps the focus; at 200 % the pages reflow instead of scrolling sideways."""

import pytest
from playwright.sync_api import expect

from logbook.downtime.models import DowntimeIncident
from logbook.shifts.models import LogEntry
from tests.factories import PASSWORD

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName,
    type: e.getAttribute("type") || "",
    text: (e.getAttribute("aria-label") || e.innerText || e.value || "").trim().slice(0, 80),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== "none",
    shown: box.width > 0 && box.height > 0 && style.visibility !== "hidden",
    top: box.top + window.scrollY,
    skip: e.classList.contains("skip-link"),
  };
}"""


def tab_to(page, wanted, limit=120, key="Tab"):
    """Press Tab until the focus is on what ``wanted`` says; every stop on the way must show
    its focus ring. Returns the stops."""
    page.wait_for_load_state("load")  # the style sheet in place: before it, Chrome's own ring
    stops = []
    for _press in range(limit):
        page.keyboard.press(key)
        focus = page.evaluate(FOCUSED)
        if focus is None:
            continue
        assert focus["ring"] and focus["shown"], f"the focus cannot be seen on {focus}"
        stops.append(focus)
        if wanted(focus):
            return stops
    raise AssertionError(f"never reached; the Tab key went through {[s['text'] for s in stops]}")


def named(text):
    return lambda focus: focus["text"] == text


@pytest.fixture
def floor(clock, line, patterns, filler, technician):
    return technician


def log_in_by_keyboard(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # the page starts where one types
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_a_technician_logs_and_reports_a_stop_with_the_keyboard_alone(
    page, live_server, floor, filler
):
    log_in_by_keyboard(page, live_server, floor)
    tab_to(page, named("My shift"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Nobody has started this shift yet.")).to_be_visible()
    tab_to(page, named("Start the shift"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Early · Mon 15 Jun 2026")).to_be_visible()

    # The entry form: a category by the arrow keys, then its fields in the order they show.
    stops = tab_to(page, lambda focus: focus["type"] == "radio")
    page.keyboard.press("ArrowRight")  # from "Note" (the default, last) round to "Production"
    page.keyboard.press("ArrowRight")
    expect(page.locator("#new-entry").get_by_label("Maintenance")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#new-entry").get_by_label("Equipment")).to_be_focused()
    page.keyboard.type("L1-FIL-01")
    stops = tab_to(page, lambda focus: focus["tag"] == "TEXTAREA")
    page.keyboard.type("Tightened the capper belt")
    stops += tab_to(page, named("Add entry"))
    tops = [stop["top"] for stop in stops]
    assert tops == sorted(tops), f"the focus jumps back up the form: {stops}"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Entry added.")).to_be_visible()
    entry = LogEntry.objects.get()
    assert (entry.category, entry.equipment, entry.text) == (
        "maintenance",
        filler,
        "Tightened the capper belt",
    )

    # Machine down, from the shift page: the machine picked with the keyboard.
    tab_to(page, named("Machine down"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Machine down")).to_be_visible()
    tab_to(page, lambda focus: focus["text"].startswith("Rotary filler"))
    page.keyboard.press("Enter")
    expect(page.locator(".picker-item[aria-pressed=true]")).to_contain_text("L1-FIL-01")
    tab_to(page, named("It is down"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I am on site")).to_be_visible()
    assert DowntimeIncident.objects.get().equipment == filler


def test_the_tab_key_goes_round_every_page_of_the_journey_without_a_trap(
    page, live_server, floor, shift
):
    log_in_by_keyboard(page, live_server, floor)
    for path in ("/", shift.get_absolute_url(), "/downtime/new/", "/maintenance/my-work/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count() == 0
        stops = tab_to(page, lambda focus: focus["skip"], limit=400)  # the way in
        stops = tab_to(page, lambda focus: focus["skip"], limit=400)  # all round, back again
        assert len(stops) > 3, f"{path}: the focus went nowhere: {stops}"
        assert stops[-2]["text"] == "API", f"{path}: the round ended before the footer"


@pytest.mark.parametrize("width, height", [(512, 384), (320, 568)])
def test_the_technician_pages_reflow_at_200_percent_zoom(
    page, live_server, floor, shift, width, height, screenshot
):
    """A 1024 × 768 tablet at 200 % shows 512 × 384 CSS pixels; 320 is the width WCAG asks
    content to reflow to. Nothing but a data table may scroll sideways."""
    page.set_viewport_size({"width": width, "height": height})
    log_in_by_keyboard(page, live_server, floor)
    wide = []
    for path in (
        "/",
        shift.get_absolute_url(),
        "/downtime/new/",
        "/maintenance/my-work/",
        "/accounts/profile/",
        "/requests/add/",
    ):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        if overflow > 1:
            wide.append(f"{path}: {overflow}px wider than the screen")
    assert not wide, wide

    # And the work still gets done at that size: an entry added.
    page.goto(f"{live_server.url}{shift.get_absolute_url()}")
    form = page.locator("#new-entry")
    form.get_by_label("Text").fill("Checked the guard at 200 %")
    form.get_by_role("button", name="Add entry").click()
    expect(page.get_by_text("Entry added.")).to_be_visible()
    screenshot(f"shift-page-{width}px")
