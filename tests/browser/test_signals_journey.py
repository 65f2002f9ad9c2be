"""A machine's own stop: the gateway posts it, the line page and the technician's home show it
without a reload, and the technician classifies it."""

import re
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from logbook.downtime.models import DowntimeIncident
from logbook.telemetry.models import Gateway
from tests.timeline import NOW


def test_a_stop_the_machine_posts_appears_live_and_is_classified(
    login, live_server, page, clock, technician, site, line, filler, reasons, screenshot
):
    _gateway, key = Gateway.issue(site=site, name="L1 PLC bridge")

    def simulate(*args):
        call_command(
            "simulate_line",
            line.code,
            "--url",
            live_server.url,
            "--key",
            key,
            *args,
            stdout=StringIO(),
        )

    page.clock.install(time=NOW)  # the tablets' clock: the live sections' timer is run on
    login(technician)
    line_page = page.context.new_page()
    line_page.goto(f"{live_server.url}{line.get_absolute_url()}")
    for shown in (page, line_page):
        expect(shown.locator(".ongoing")).to_contain_text("Every machine is up.")

    # The filler faults; its gateway posts the stop. Neither page is reloaded.
    simulate("--stop", filler.asset_tag)
    page.clock.fast_forward("00:16")  # the next refresh of the live sections (every 15 s)
    for shown in (line_page, page):
        expect(shown.locator(".ongoing")).to_contain_text(filler.asset_tag)
    screenshot("signals-live-home")
    line_page.close()

    page.locator(".ongoing").get_by_role("link", name=re.compile(filler.asset_tag)).click()
    expect(page.get_by_text("Posted by a machine", exact=True)).to_be_visible()
    expect(page.locator(".machine-times")).to_be_visible()
    expect(page.get_by_text("Bottle jam at infeed")).to_be_visible()

    # It runs again; the technician classifies the stop.
    simulate("--start", filler.asset_tag)
    page.reload()
    form = page.locator("#classify")
    form.get_by_label("Reason").select_option(label="Jam")
    form.get_by_label("Cause", exact=True).fill("Bottle fell at the infeed star wheel")
    form.get_by_label("Action taken").fill("Cleared the bottles, restarted")
    for label in ("Failure mode", "Failure mechanism", "Failure cause", "Detection method"):
        form.get_by_label(label).select_option(index=1)
    screenshot("signals-classify")
    form.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_text("Incident classified and closed.")).to_be_visible()
    incident = DowntimeIncident.objects.get(equipment=filler)
    assert incident.source == "machine" and incident.closed_at is not None
    assert incident.machine_started_at and incident.machine_ended_at


def test_the_product_running_is_counted_by_the_machine_and_a_silent_one_shows(
    login, live_server, page, clock, technician, site, line, patterns, filler, screenshot
):
    import datetime

    from logbook.shifts.models import ProductionRecord
    from logbook.shifts.services import shift_start
    from logbook.telemetry.services import ingest
    from tests.timeline import TODAY

    page.clock.install(time=NOW)  # the tablet's clock: the live sections' timer is run on
    filler.counts_line_output = True
    filler.save()
    shift = shift_start(line=line, pattern=patterns["Early"], date=TODAY, user=technician)

    login(technician)
    page.goto(f"{live_server.url}{shift.get_absolute_url()}")
    run = page.locator("#run-product")
    run.get_by_label("Product").fill("Water 0.5 l")
    run.get_by_label("Ideal cycle time (s/unit)").fill("0.4")
    run.get_by_role("button", name="Count this product").click()
    expect(page.get_by_text("The machine counts this product from now on.")).to_be_visible()

    # The filler counts; its readings arrive a minute apart.
    clock.shift(datetime.timedelta(minutes=3))
    now = datetime.datetime.now(datetime.UTC)

    def reading(minutes_ago, total, reject):
        at = (now - datetime.timedelta(minutes=minutes_ago)).isoformat()
        value = {"total": total, "reject": reject}
        return {"asset_tag": filler.asset_tag, "at": at, "kind": "count", "value": value}

    running = {"asset_tag": filler.asset_tag, "at": now.isoformat(), "kind": "state"}
    ingest(
        site=site,
        items=[reading(2, 1000, 10), reading(1, 1120, 12), running | {"value": "running"}],
    )
    page.reload()
    row = page.locator("#production-" + str(ProductionRecord.objects.get().pk))
    expect(row).to_contain_text("Water 0.5 l")
    expect(row).to_contain_text("Machine counts")
    expect(row.locator("td.num").nth(0)).to_have_text("120")
    expect(row.locator("td.num").nth(1)).to_have_text("118")
    screenshot("signals-product-run")

    # Ten minutes without a signal from the filler: home says so, without a reload.
    page.goto(f"{live_server.url}/")
    clock.shift(datetime.timedelta(minutes=10))
    page.clock.fast_forward("10:00")  # the tablet lives through them too; its page refreshes
    expect(page.locator(".ongoing")).to_contain_text("No signal")
    expect(page.locator(".ongoing")).to_contain_text(filler.asset_tag)
