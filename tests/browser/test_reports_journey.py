"""The morning meeting: the supervisor opens the dashboard on the demo plant, changes the period
and the line, drills from the Pareto's largest bar to its incidents, exports a table, prints."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from logbook.accounts.models import User
from tests.browser.conftest import PHONE, TABLET


@pytest.fixture
def demo_plant(db):
    call_command("load_demo", stdout=io.StringIO())
    return User.objects.get(username="supervisor")


def test_the_morning_meeting(login, live_server, page, demo_plant, screenshot):
    login(demo_plant, password="demo")
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    for name in ("Needs attention now", "OEE", "Unplanned downtime", "Reliability"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.locator("#oee .kpis dd").first).to_contain_text("%")
    screenshot("reports-dashboard")

    # Yesterday on the PET line.
    page.get_by_label("Site or line", exact=True).select_option(label="L1 – PET bottling line")
    expect(page.get_by_label("From", exact=True)).to_be_hidden()  # only for a custom period
    page.get_by_label("Period", exact=True).select_option(label="Custom")
    expect(page.get_by_label("From", exact=True)).to_be_visible()
    page.get_by_label("Period", exact=True).select_option(label="Yesterday")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=yesterday"))
    expect(page.get_by_text("Target of this line: 85 %")).to_be_visible()
    waterfall = page.get_by_role("group", name="Loss waterfall")
    expect(waterfall).to_be_visible()

    # The explanation of a figure, with this period's inputs.
    page.locator("#oee .kpis > div").nth(1).get_by_text("How is this computed?").click()
    expect(page.locator("#oee").get_by_text("Availability (A) = APT / PBT")).to_be_visible()

    # The largest bar of the Pareto leads to the incidents it was computed from.
    largest = page.locator("#downtime table tbody tr").first
    cause = largest.locator("td").first.inner_text()
    stops = int(largest.locator("td").nth(2).inner_text())
    # The cumulative line is drawn over the bars: it must not take the tap meant for a bar.
    expect(page.locator("#downtime .report-chart .series").first).to_have_css(
        "pointer-events", "none"
    )
    page.locator("#pareto-t").locator("xpath=..").locator("a").first.click()
    expect(page.get_by_role("heading", name="Downtime", level=1)).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(stops)
    if cause != "Unclassified":
        for index in range(stops):
            expect(rows.nth(index)).to_contain_text(cause.split(" – ", 1)[1])
    page.go_back()

    # Each table exports.
    with page.expect_download() as download:
        # The Pareto's own (the section may hold the machines' signals table and its export).
        pareto = page.locator("#downtime .section-head", has=page.locator("#dt-h"))
        pareto.locator(".exports").get_by_role("link", name="CSV").click()
    content = download.value.path().read_text(encoding="utf-8")
    header, first = list(csv.reader(io.StringIO(content)))[:2]
    assert header[:3] == ["Cause", "Minutes", "Stops"]
    assert first[0] == cause

    # Printed for the meeting: A4 landscape, no form, no buttons.
    page.emulate_media(media="print")
    expect(page.locator(".report-form")).to_be_hidden()
    expect(page.locator(".exports").first).to_be_hidden()
    assert page.pdf(format="A4", landscape=True)[:4] == b"%PDF"
    page.emulate_media(media="screen")


def test_the_dashboard_fits_a_phone(login, live_server, page, demo_plant):
    page.set_viewport_size(PHONE)
    login(demo_plant, password="demo")
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("heading", name="OEE", exact=True)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.set_viewport_size(TABLET)
