"""A technician on a tablet finds a machine, opens its page and its QR code leads back to it."""

import io
from decimal import Decimal

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from logbook.equipment.models import Equipment, MeterReading
from logbook.equipment.services import meter_reading_record
from tests.factories import EquipmentClassFactory, EquipmentFactory, MeterFactory


def _plant(line, filler_class):
    capper = EquipmentClassFactory(code="capper", name="Capper")
    filler = EquipmentFactory(
        asset_tag="L1-FIL-01",
        name="Rotary filler",
        line=line,
        equipment_class=filler_class,
        manufacturer="Krones",
        model="Modulfill VFS",
        serial_number="KR-MF-20411",
        criticality="A",
    )
    EquipmentFactory(
        asset_tag="L1-FIL-01-PMP",
        name="Product pump",
        line=line,
        parent=filler,
        equipment_class=EquipmentClassFactory(code="pump", name="Pump"),
    )
    EquipmentFactory(
        asset_tag="L1-CAP-01", name="Screw capper", line=line, equipment_class=capper, status="down"
    )
    meter = MeterFactory(equipment=filler, name="Run hours", unit="h")
    return filler, meter


def test_a_technician_filters_the_register_and_scans_the_qr_code(
    login, live_server, technician, line, filler_class, screenshot
):
    _, meter = _plant(line, filler_class)
    meter_reading_record(meter=meter, value=Decimal("31250.5"), taken_by=technician)
    page = login(technician)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()

    page.get_by_role("link", name="Equipment", exact=True).first.click()
    expect(page.locator("table.table tbody tr")).to_have_count(3)
    page.get_by_text("Filters").click()
    page.get_by_label("Class").select_option(label="Filler")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    expect(page.get_by_text("1 equipment", exact=True)).to_be_visible()
    screenshot("equipment-register")

    page.get_by_role("link", name="L1-FIL-01").click()
    expect(page.get_by_role("heading", name="L1-FIL-01 Rotary filler")).to_be_visible()
    breadcrumbs = page.get_by_role("navigation", name="Where this is")
    expect(breadcrumbs).to_contain_text("Bremen bottling")
    expect(breadcrumbs).to_contain_text("Filling hall")
    expect(breadcrumbs).to_contain_text("L1 PET line")
    expect(page.get_by_text("L1-FIL-01-PMP")).to_be_visible()
    expect(page.get_by_role("cell", name="31,250.50 h")).to_be_visible()

    qr = page.locator(".qr-figure svg")
    expect(qr).to_be_visible()
    symbol = Image.open(io.BytesIO(qr.screenshot()))
    decoded = zxingcpp.read_barcodes(symbol)
    # The label opens the machine's floor card.
    assert [code.text for code in decoded] == [f"{live_server.url}{meter.equipment.get_card_url()}"]
    screenshot("equipment-page")


def test_the_label_prints_the_qr_code_and_asset_tag(
    login, live_server, technician, line, filler_class, screenshot
):
    filler, _ = _plant(line, filler_class)
    page = login(technician)
    page.goto(f"{live_server.url}{filler.get_absolute_url()}")
    page.get_by_role("link", name="Print label").click()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    label = page.locator(".label")
    expect(label).to_contain_text("L1-FIL-01")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(label.screenshot())))
    assert [code.text for code in decoded] == [f"{live_server.url}{filler.get_card_url()}"]
    screenshot("equipment-label", target=label)


def test_a_technician_records_readings_and_a_lower_one_is_refused(
    login, live_server, technician, line, filler_class
):
    filler, _ = _plant(line, filler_class)
    page = login(technician)
    page.goto(f"{live_server.url}{filler.get_absolute_url()}")
    page.get_by_role("link", name="Record reading").click()
    page.get_by_label("Value (h)").fill("1200")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Recorded 1200 h on")).to_be_visible()
    expect(page.get_by_role("cell", name="1,200 h")).to_be_visible()

    page.get_by_role("link", name="Record reading").click()
    expect(page.get_by_text("Last reading: 1,200 h")).to_be_visible()
    page.get_by_label("Value (h)").fill("1100")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("1100 h is lower than the last reading")
    assert MeterReading.objects.count() == 1


def test_a_planner_registers_a_component_and_a_technician_cannot(
    login, live_server, planner, technician, line, filler_class
):
    filler, _ = _plant(line, filler_class)
    page = login(planner)
    page.goto(f"{live_server.url}{filler.get_absolute_url()}")
    page.get_by_role("link", name="Add component").click()
    page.get_by_label("Asset tag").fill("L1-FIL-01-VLV")
    page.get_by_label("Name").fill("Filling valve set")
    page.get_by_label("Class").select_option(label="Filler")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved L1-FIL-01-VLV")).to_be_visible()
    part = Equipment.objects.get(asset_tag="L1-FIL-01-VLV")
    assert part.parent == filler and part.line == line

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Asset tag").fill("L1-FIL-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Equipment with this Asset tag already exists.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page = login(technician)
    response = page.goto(f"{live_server.url}/equipment/add/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You are not allowed to do this")).to_be_visible()


def test_the_menu_folds_away_on_a_phone(login, live_server, technician, page):
    page.set_viewport_size({"width": 390, "height": 844})
    login(technician)
    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Downtime")
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav_link).to_be_visible()
