"""On the floor: the machine's QR label opens its card; an operator requests work from it and a
planner turns the request into a work order; a technician picks the machine with a tap, or
holds its label up to the camera, to report it down."""

import re

import pytest
from playwright.sync_api import expect

from logbook.workrequests.models import WorkRequest
from tests.browser.camera import qr_label_video
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE, TABLET
from tests.factories import PASSWORD, EquipmentFactory


@pytest.fixture
def labeler(line, filler):
    return EquipmentFactory(asset_tag="L1-LAB-01", name="Roll-fed labeler", line=line)


@pytest.fixture
def home_line(technician, operator, line):
    for person in (technician, operator):
        person.home_line = line
        person.save()


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_an_operator_requests_work_from_the_label_and_a_planner_raises_the_order(
    page, live_server, browser, clock, operator, planner, filler, home_line, screenshot, size
):
    page.set_viewport_size(size)
    _login(page, live_server, operator)
    # The label's QR code holds the card's address: the phone's camera opens it.
    page.goto(f"{live_server.url}/equipment/{filler.pk}/card/")
    expect(page.locator(".floor-state")).to_contain_text("Running")
    expect(page.get_by_role("link", name="Machine down")).to_have_count(0)
    screenshot(f"floor-card-{'phone' if size is PHONE else 'tablet'}")
    page.get_by_role("link", name="Request work").click()
    expect(page.get_by_label("Equipment", exact=True)).to_have_value("L1-FIL-01 – Rotary filler")
    expect(page.locator('.picker-item[aria-pressed="true"]')).to_contain_text("Rotary filler")
    page.get_by_label("What is wrong").fill("Oil under the filler bowl\nA palm-sized puddle.")
    page.get_by_text("High", exact=True).click()
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".badge.request-open")).to_have_text("Waiting for a planner")
    request_url = page.url
    number = WorkRequest.objects.get().number

    planner_page = browser.new_context(viewport=size, has_touch=True).new_page()
    _login(planner_page, live_server, planner)
    planner_page.get_by_role("link", name=re.compile(r"Work requests \(1\)")).click()
    planner_page.get_by_role("link", name=number).click()
    expect(planner_page.get_by_label("What needs doing")).to_have_value("Oil under the filler bowl")
    expect(planner_page.get_by_label("High")).to_be_checked()  # the operator's urgency
    planner_page.get_by_label("What needs doing").fill("Replace the bowl seal")
    planner_page.get_by_role("button", name="Raise the work order").click()
    expect(planner_page.get_by_text(f"raised from {number}")).to_be_visible()
    expect(planner_page.get_by_role("link", name=number)).to_be_visible()  # linked back
    planner_page.context.close()

    page.goto(request_url)
    expect(page.locator(".badge.request-converted")).to_have_text("Work order raised")
    page.goto(f"{live_server.url}/requests/")
    expect(page.get_by_role("heading", name="My work requests")).to_be_visible()


def test_a_technician_picks_the_machine_with_a_tap_and_reports_it_down(
    login, page, live_server, clock, technician, labeler, home_line, screenshot
):
    login(technician)
    page.get_by_role("link", name=re.compile("Machine down")).click()
    field = page.get_by_label("Equipment", exact=True)
    field.fill("labeler")  # part of a name, any case: the buttons narrow to it
    expect(page.locator(".picker-item:visible")).to_have_count(1)
    field.fill("")
    expect(page.locator(".picker-item:visible")).to_have_count(2)
    screenshot("machine-picker")
    page.get_by_role("button", name=re.compile("Roll-fed labeler")).click()
    expect(field).to_have_value("L1-LAB-01 – Roll-fed labeler")
    page.get_by_label("Symptom").fill("Labels crooked")
    page.get_by_role("button", name="It is down").click()
    expect(page.get_by_text("L1-LAB-01 is down since")).to_be_visible()


def test_a_technician_scans_the_label_with_the_phones_camera_and_reports_it_down(
    playwright, live_server, clock, technician, labeler, home_line, tmp_path
):
    """The camera sees the labeler's QR label (a fake camera playing a picture of it); the
    scan fills the machine in. Chromium on Linux has no BarcodeDetector: the app's own decoder
    reads it."""
    video = qr_label_video(f"{live_server.url}/equipment/{labeler.pk}/card/", tmp_path / "l.y4m")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport=PHONE, has_touch=True)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        _login(page, live_server, technician)
        page.goto(f"{live_server.url}/downtime/new/")
        page.get_by_role("button", name="Scan QR label").click()
        field = page.get_by_label("Equipment", exact=True)
        expect(field).to_have_value("L1-LAB-01 – Roll-fed labeler", timeout=15000)
        expect(page.locator("[data-scanner]")).to_be_hidden()  # the camera is off again
        page.get_by_role("button", name="It is down").click()
        expect(page.get_by_text("L1-LAB-01 is down since")).to_be_visible()
    finally:
        browser.close()


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_supervisor_declines_a_request_and_the_operator_reads_why(
    page, live_server, browser, clock, operator, supervisor, filler, home_line, size
):
    from logbook.workrequests.services import work_request_raise

    work_request = work_request_raise(
        equipment=filler, user=operator, description="Filler louder than usual"
    )
    page.set_viewport_size(size)
    _login(page, live_server, supervisor)
    page.get_by_role("link", name=re.compile(r"Work requests \(1\)")).click()
    page.get_by_role("link", name=work_request.number).click()
    page.get_by_role("button", name="Decline the request").click()  # no reason yet
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_label("Reason").fill("Normal after the bowl change; WO-00012 checked it")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.locator(".signature-banner.declined")).to_contain_text("WO-00012 checked it")
    expect(page.get_by_role("button", name="Raise the work order")).to_have_count(0)
    page.context.clear_cookies()

    _login(page, live_server, operator)
    page.goto(f"{live_server.url}/requests/")
    page.get_by_role("link", name=work_request.number).click()
    expect(page.locator(".signature-banner.declined")).to_contain_text(
        "Normal after the bowl change"
    )
    work_request.refresh_from_db()
    assert work_request.status == "declined" and work_request.decided_by == supervisor


def test_a_technician_sets_the_home_line_and_changes_the_password(
    page, live_server, clock, technician, line, screenshot
):
    page.set_viewport_size(PHONE)
    _login(page, live_server, technician)
    page.get_by_role("link", name=re.compile(technician.get_full_name())).click()  # the header
    page.get_by_label("Home line").select_option(label=f"{line.code} – {line.name}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    page.get_by_label("Present password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("chain-oil-on-line-4")
    page.get_by_label("New password again").fill("chain-oil-on-line-4")
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    screenshot("profile-phone")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My shift").click()
    expect(page.locator("h1")).to_contain_text(line.code)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(technician.username)
    page.get_by_label("Password").fill("chain-oil-on-line-4")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
