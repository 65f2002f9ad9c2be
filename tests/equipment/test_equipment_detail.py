import datetime
import re
from decimal import Decimal

import segno

from logbook.equipment.qr import qr_svg
from logbook.equipment.services import meter_reading_record
from tests.factories import EquipmentFactory, MeterFactory
from tests.queries import queries


def test_it_shows_the_place_in_the_hierarchy_parent_and_components(as_user, technician, filler):
    pump = EquipmentFactory(asset_tag="L1-FIL-01-PMP", line=filler.line, parent=filler)
    html = as_user(technician).get(f"/equipment/{filler.pk}/").content.decode()
    assert "Bremen bottling" in html and "Filling hall" in html and "PET line" in html
    assert "L1-FIL-01-PMP" in html

    html = as_user(technician).get(f"/equipment/{pump.pk}/").content.decode()
    assert f'href="/equipment/{filler.pk}/"' in html


def test_meters_show_their_last_reading_in_the_sites_time(as_user, technician, run_hours):
    taken = datetime.datetime(2026, 3, 2, 6, 15, tzinfo=datetime.UTC)  # 07:15 in Berlin
    meter_reading_record(
        meter=run_hours,
        value=Decimal("100"),
        taken_by=technician,
        taken_at=taken - datetime.timedelta(days=1),
    )
    meter_reading_record(
        meter=run_hours, value=Decimal("12345.5"), taken_by=technician, taken_at=taken
    )
    html = as_user(technician).get(f"/equipment/{run_hours.equipment.pk}/").content.decode()
    assert "12,345.50 h" in html
    assert "2026-03-02 07:15" in html


def test_the_qr_code_encodes_the_floor_cards_absolute_url(as_user, technician, filler):
    response = as_user(technician).get(f"/equipment/{filler.pk}/")
    html = response.content.decode()
    expected_url = f"http://testserver/equipment/{filler.pk}/card/"
    assert f'data-payload="{expected_url}"' in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    # The same payload gives the same symbol; a different one would not.
    assert svg == str(qr_svg(expected_url, title=filler.asset_tag))
    assert svg != str(qr_svg(f"http://testserver/equipment/{filler.pk + 1}/card/", title="x"))
    assert segno.make(expected_url, error="m").designator  # the payload fits a QR symbol


def test_the_label_view_prints_the_qr_code_with_the_asset_tag(as_user, technician, filler):
    html = as_user(technician).get(f"/equipment/{filler.pk}/label/").content.decode()
    assert "L1-FIL-01" in html and "<svg" in html
    assert "label.css" in html


def test_an_unknown_id_is_a_404(as_user, technician, db):
    assert as_user(technician).get("/equipment/999999/").status_code == 404
    assert as_user(technician).get("/equipment/999999/label/").status_code == 404


def test_another_sites_equipment_is_a_404(as_user, outsider, filler):
    assert as_user(outsider).get(f"/equipment/{filler.pk}/").status_code == 404


def test_technicians_see_no_edit_button(as_user, technician, planner, filler):
    assert (
        f"/equipment/{filler.pk}/edit/"
        not in as_user(technician).get(f"/equipment/{filler.pk}/").content.decode()
    )
    assert (
        f"/equipment/{filler.pk}/edit/"
        in as_user(planner).get(f"/equipment/{filler.pk}/").content.decode()
    )


def test_the_detail_page_runs_a_constant_number_of_queries(
    as_user, technician, filler, django_assert_max_num_queries
):
    client = as_user(technician)
    few = queries(client, f"/equipment/{filler.pk}/")
    for i in range(10):
        MeterFactory(equipment=filler, name=f"Meter {i}")
        EquipmentFactory(line=filler.line, parent=filler)
    assert queries(client, f"/equipment/{filler.pk}/") == few
