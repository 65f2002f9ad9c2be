"""Text that says "done", "corrected" or "past" stays readable: at least 4.5:1 against what it is
drawn on, and never faded by opacity (which lowers every colour's contrast at once)."""

import datetime

import time_machine
from playwright.sync_api import expect

from logbook.shifts import services
from tests.browser.test_keyboard import contrast
from tests.factories import PASSWORD
from tests.timeline import NOW, TODAY, at

RENDERED = """e => {
  let opacity = 1, background = null;
  for (let node = e; node && node.nodeType === 1; node = node.parentElement) {
    const style = getComputedStyle(node);
    opacity *= parseFloat(style.opacity);
    if (!background && style.backgroundColor !== "rgba(0, 0, 0, 0)") {
      background = style.backgroundColor;
    }
  }
  const color = getComputedStyle(e).color;
  return {opacity, color, background: background || "rgb(255, 255, 255)"};
}"""


def assert_readable(locator):
    expect(locator.first).to_be_visible()
    for index in range(locator.count()):
        seen = locator.nth(index).evaluate(RENDERED)
        assert seen["opacity"] == 1, seen
        assert contrast(seen["color"], seen["background"]) >= 4.5, seen


def test_closed_items_and_amended_entries_are_readable(
    login, live_server, page, clock, line, patterns, technician, supervisor
):
    shift = services.shift_start(line=line, pattern=patterns["Early"], date=TODAY, user=technician)
    entry = services.log_entry_add(
        shift=shift,
        user=technician,
        text="Filler jam cleared",
        category="production",
        occurred_at=at(7, 30),
    )
    services.shift_hand_over(
        shift=shift, user=technician, open_items=["Guard sensor loose on the capper"]
    )
    item = shift.line.open_items.get()
    services.open_item_close(item=item, user=technician, shift=shift, note="Tightened")
    services.shift_sign_off(
        shift=shift, user=supervisor, password=PASSWORD, meaning="reviewed", reason="Test"
    )
    services.log_entry_add(
        shift=shift,
        user=supervisor,
        text="Filler jam cleared at the infeed",
        category="production",
        amends=entry,
        amend_reason="Where it was",
    )
    login(technician)
    page.goto(f"{live_server.url}{shift.get_absolute_url()}")
    assert_readable(page.locator(".open-items li.closed span"))
    assert_readable(page.locator(".entry.amended .entry-text, .entry.amended .entry-meta"))


def test_past_days_on_the_maintenance_plan_are_readable(login, live_server, page, planner):
    # A Wednesday: the plan's first week shows Monday and Tuesday gone by.
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=True):
        login(planner)
        page.goto(f"{live_server.url}/maintenance/plan/")
        assert page.locator(".cal-day.past").count() == 2
        assert_readable(page.locator(".cal-day.past .cal-date"))
