"""Two planners edit the same machine at once; a technician on a phone picks their line."""

from playwright.sync_api import expect

from logbook.core.roles import Role
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, LineFactory, UserFactory


def test_a_stale_edit_shows_what_changed_and_starts_again_from_it(
    login, live_server, page, browser, browser_context_args, planner, filler, screenshot
):
    other = UserFactory(
        username="planner2",
        first_name="Kim",
        last_name="Weber",
        roles=[Role.PLANNER],
        member_of=[filler.line.area.site],
    )
    edit = f"{live_server.url}/equipment/{filler.pk}/edit/"
    login(planner)
    page.goto(edit)
    page.get_by_label("Name").fill("Rotary filler (left)")

    # Meanwhile a colleague, on another tablet, renames it and saves first.
    context = browser.new_context(**browser_context_args)
    theirs = context.new_page()
    theirs.goto(f"{live_server.url}/accounts/login/")
    theirs.get_by_label("Username").fill(other.username)
    theirs.get_by_label("Password").fill(PASSWORD)
    theirs.get_by_role("button", name="Log in").click()
    theirs.goto(edit)
    theirs.get_by_label("Name").fill("Rotary filler 24 valves")
    theirs.get_by_role("button", name="Save").click()
    expect(theirs.get_by_text("Saved")).to_be_visible()
    context.close()

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Someone else changed this first")).to_be_visible()
    expect(page.get_by_role("heading", name="What changed meanwhile")).to_be_visible()
    expect(page.get_by_role("cell", name="Rotary filler 24 valves")).to_be_visible()
    expect(page.get_by_role("cell", name="Kim Weber")).to_be_visible()
    screenshot("stale-edit-refused")
    filler.refresh_from_db()
    assert filler.name == "Rotary filler 24 valves"

    page.get_by_role("link", name="Open it again with the new values").click()
    expect(page.get_by_label("Name")).to_have_value("Rotary filler 24 valves")
    page.get_by_label("Name").fill("Rotary filler 24 valves (left)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved")).to_be_visible()
    filler.refresh_from_db()
    assert filler.name == "Rotary filler 24 valves (left)"


def test_a_technician_on_a_phone_picks_their_line_once(
    login, live_server, page, technician, line, patterns, frozen, screenshot
):
    LineFactory(area=line.area, code="L2", name="Can line")
    page.set_viewport_size(PHONE)
    login(technician)
    page.goto(f"{live_server.url}/shifts/my/")
    expect(page.get_by_role("heading", name="Which line are you on?")).to_be_visible()
    screenshot("choose-line-phone")
    page.get_by_role("button", name="L2").click()
    expect(page.get_by_text("Can line").first).to_be_visible()
    technician.refresh_from_db()
    assert technician.home_line.code == "L2"
    # Next time "My shift" opens that line at once.
    page.goto(f"{live_server.url}/shifts/my/")
    expect(page.get_by_role("heading", name="Which line are you on?")).to_have_count(0)
    expect(page.get_by_text("Can line").first).to_be_visible()
