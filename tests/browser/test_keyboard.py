"""The keyboard alone: a focus ring one can see everywhere, date fields that keep it on their
calendar button, and a phone menu that Escape closes."""

from playwright.sync_api import expect

FOCUS = """e => {
  const style = getComputedStyle(e);
  return {outline: style.outlineStyle, ring: style.outlineColor, width: style.outlineWidth};
}"""


def _luminance(css: str) -> float:
    red, green, blue = (int(part) for part in css[css.index("(") + 1 : -1].split(",")[:3])

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor")


def test_the_focus_ring_shows_against_the_page_the_cards_and_the_top_bar(
    login, live_server, page, technician
):
    login(technician)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand, in the top bar
    focused = page.evaluate_handle("document.activeElement")
    ring = focused.evaluate(FOCUS)
    assert ring["outline"] == "solid" and ring["width"] == "3px"
    assert contrast(ring["ring"], background(page, ".topbar")) >= 3
    assert contrast(ring["ring"], background(page, "body")) >= 3
    assert contrast(ring["ring"], background(page, ".card")) >= 3


def test_a_date_field_keeps_its_focus_ring_on_its_calendar_button(
    login, live_server, page, clock, technician, shift
):
    login(technician)
    page.goto(f"{live_server.url}{shift.get_absolute_url()}")
    field = page.locator("#new-entry input[type=datetime-local]")
    field.focus()
    # Through the field's parts (month, day, year, hour, minute, AM/PM) to its calendar button.
    seen = []
    for _step in range(8):
        if not field.evaluate("e => document.activeElement === e"):
            break
        seen.append(field.evaluate(FOCUS)["outline"])
        page.keyboard.press("Tab")
    assert len(seen) >= 2 and set(seen) == {"solid"}, seen


def test_escape_closes_the_phone_menu_and_gives_the_focus_back(
    login, live_server, page, technician
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(technician)
    toggle = page.get_by_role("button", name="Menu")
    toggle.click()
    menu = page.locator("#main-nav")
    expect(menu).to_be_visible()
    menu.get_by_role("link").first.focus()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
