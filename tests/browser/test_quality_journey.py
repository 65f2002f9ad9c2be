"""Quality on a tablet: define a plan, inspect with a value out of limits (red before saving),
raise the nonconformance from it, disposition it and close it with a signature."""

from decimal import Decimal

from playwright.sync_api import expect

from logbook.quality import services
from logbook.quality.models import InspectionPlan, Nonconformance
from tests.factories import PASSWORD
from tests.timeline import at


def test_plan_inspection_nonconformance(
    login, live_server, page, clock, quality, technician, line, screenshot
):
    login(quality)
    page.goto(f"{live_server.url}/quality/plans/add/")
    page.get_by_label("Name").first.fill("PET final check")
    page.get_by_label("Product").fill("Cola 0.5 L PET")
    page.get_by_label("Line").select_option(label="L1 – PET line")
    page.locator("[name=chars-0-name]").fill("Fill volume")
    page.locator("[name=chars-0-lsl]").fill("495")
    page.locator("[name=chars-0-usl]").fill("505")
    page.locator("[name=chars-0-unit]").fill("ml")
    page.locator("[name=chars-0-decimals]").fill("1")
    page.locator("[name=chars-1-name]").fill("Seal integrity")
    page.locator("[name=chars-1-kind]").select_option("attribute")
    page.locator("[name=chars-1-defect_types]").fill("Leak, Cocked cap")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="PET final check v1")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    login(technician)
    page.goto(f"{live_server.url}/equipment/lines/{line.pk}/")
    page.get_by_role("link", name="Inspect").click()
    page.get_by_role("link", name="Cola 0.5 L PET").click()
    page.get_by_label("Batch / lot").fill("L1-0615-E")
    fill = page.get_by_label("Fill volume (ml)")
    fill.fill("505.4")
    expect(fill).to_have_class("measure big-number out")  # red before saving
    page.get_by_text("Pass", exact=True).click()
    screenshot("inspection-out-of-limits")
    page.get_by_role("button", name="Save the inspection").click()
    expect(page.locator(".big-badge")).to_have_text("Fail")
    page.get_by_role("link", name="Raise a nonconformance").click()
    expect(page.get_by_label("What failed")).to_have_value("Fill volume: 505.4 ml (limits 495–505)")
    page.get_by_text("Major", exact=True).click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".badge.nc-open")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    login(quality)
    nc = Nonconformance.objects.get()
    page.goto(f"{live_server.url}{nc.get_absolute_url()}")
    page.get_by_text("Rework", exact=True).click()
    page.get_by_label("Containment").fill("Batch L1-0615-E held at the dock")
    page.get_by_role("button", name="Save the disposition").click()
    expect(page.locator(".badge.nc-dispositioned")).to_be_visible()
    page.get_by_label("Root cause").fill("Level probe drifted after cleaning")
    page.get_by_label("Corrective action").fill("Probe recalibrated")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close and sign").click()
    expect(page.locator(".signature-banner")).to_contain_text("Approved by Priya Nair")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    screenshot("nonconformance-closed")


def test_a_supervisor_filters_inspections_and_reads_the_capability_chart(
    login, live_server, page, clock, quality, technician, supervisor, line, screenshot
):
    plan = services.plan_save(
        plan=InspectionPlan(name="PET final check", product="Cola 0.5 L PET", line=line),
        user=quality,
        characteristics=[
            {
                "name": "Fill volume",
                "kind": "variable",
                "lsl": Decimal(495),
                "usl": Decimal(505),
                "unit": "ml",
                "decimals": 1,
            },
            {"name": "Seal integrity", "kind": "attribute", "defect_types": "Leak"},
        ],
    )
    fill, seal = plan.characteristics.order_by("order")
    for minute, (value, sealed) in enumerate(
        [("500", True), ("502", True), ("501", True), ("503", True), ("499", False)]
    ):
        services.inspection_record(
            plan=plan,
            user=technician,
            batch=f"L1-0615-{minute}",
            results={
                fill.pk: value,
                seal.pk: {"passed": sealed, "defect": "" if sealed else "Leak"},
            },
            inspected_at=at(7, minute * 10),
        )

    login(supervisor)
    page.get_by_role("link", name="Quality", exact=True).click()
    expect(page.get_by_text("5 inspections")).to_be_visible()
    page.get_by_text("Filters").click()
    page.get_by_label("Verdict").select_option(label="Fail")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 inspection", exact=True)).to_be_visible()
    expect(page.locator("table.table tbody tr")).to_contain_text("L1-0615-4")

    # The individuals chart and capability of the fill volume, drawn by the server.
    page.get_by_role("link", name="Plans").click()
    page.get_by_role("link", name="PET final check").first.click()
    page.get_by_role("link", name="Chart and capability").click()
    chart = page.get_by_role("group", name="Individual values over time")
    expect(chart.locator(".point")).to_have_count(5)
    # x̄ 501, MR̄ 2.25, σ = 2.25 / 1.128; Cpk = (505 − 501) / 3σ = 0.67, Cp = 10 / 6σ = 0.84
    figures = page.locator("dl")
    expect(figures).to_contain_text("Cpk0.67")
    expect(figures).to_contain_text("Cp0.84")
    screenshot("spc-chart")

    # The seal is pass/fail: its p-chart, one point for the day, 1 failed of 5.
    page.go_back()
    page.get_by_role("link", name="p-chart").click()
    pchart = page.get_by_role("img", name="Fraction of inspections failed per day")
    expect(pchart.locator(".point")).to_have_count(1)
    expect(page.locator("dl")).to_contain_text("Failed1")
    expect(page.locator("dl")).to_contain_text("Inspected5")
