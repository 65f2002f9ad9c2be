"""Sites, areas, lines, classes and meters: created and edited in the app by the right roles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logbook.equipment.models import Area, Line, Meter, Site


def test_a_planner_creates_a_site_and_becomes_its_member(as_user, planner):
    response = as_user(planner).post(
        "/equipment/sites/add/", {"code": "NEW", "name": "New plant", "timezone": "Asia/Tokyo"}
    )
    site = Site.objects.get(code="NEW")
    assert response.status_code == 302
    assert planner.sites.filter(pk=site.pk).exists()
    assert as_user(planner).get(site.get_absolute_url()).status_code == 200


def test_an_unknown_time_zone_is_refused(as_user, planner):
    response = as_user(planner).post(
        "/equipment/sites/add/", {"code": "NEW", "name": "New", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    assert not Site.objects.filter(code="NEW").exists()


def test_a_supervisor_edits_a_site(as_user, supervisor, site):
    response = as_user(supervisor).post(
        f"/equipment/sites/{site.pk}/edit/",
        {"code": site.code, "name": "Renamed", "timezone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Renamed"


def test_areas_and_lines_are_created_only_on_the_users_sites(as_user, planner, site, other_site):
    client = as_user(planner)
    assert (
        client.post("/equipment/areas/add/", {"site": site.pk, "name": "Hall C"}).status_code == 302
    )
    area = Area.objects.get(name="Hall C")
    refused = client.post("/equipment/areas/add/", {"site": other_site.pk, "name": "Sneaky"})
    assert refused.status_code == 400
    assert not Area.objects.filter(name="Sneaky").exists()

    response = client.post("/equipment/lines/add/", {"area": area.pk, "code": "L9", "name": "New"})
    assert response.status_code == 302
    assert Line.objects.get(code="L9").area == area


def test_a_duplicate_line_code_in_an_area_is_refused(as_user, planner, line):
    response = as_user(planner).post(
        "/equipment/lines/add/", {"area": line.area.pk, "code": line.code, "name": "Twin"}
    )
    assert response.status_code == 400
    assert Line.objects.filter(code=line.code).count() == 1


def test_a_planner_adds_a_meter_to_equipment(as_user, planner, filler):
    response = as_user(planner).post(
        "/equipment/meters/add/",
        {"equipment": filler.asset_tag, "name": "Cycles", "unit": "cycles", "resets": ""},
    )
    assert response.status_code == 302
    assert Meter.objects.get(equipment=filler, name="Cycles").resets is False


@pytest.mark.parametrize(
    "url",
    [
        "/equipment/sites/add/",
        "/equipment/areas/add/",
        "/equipment/lines/add/",
        "/equipment/classes/add/",
        "/equipment/meters/add/",
    ],
)
def test_technicians_cannot_create_register_entries(as_user, technician, url):
    assert as_user(technician).get(url).status_code == 403
    assert as_user(technician).post(url, {}).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/equipment/sites/",
        "/equipment/areas/",
        "/equipment/lines/",
        "/equipment/classes/",
        "/equipment/meters/",
    ],
)
def test_every_list_page_answers_and_exports(as_user, technician, run_hours, url):
    client = as_user(technician)
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?_export=csv").status_code == 200


def test_a_meter_on_another_sites_equipment_is_refused(as_user, planner, other_equipment):
    response = as_user(planner).post(
        "/equipment/meters/add/",
        {"equipment": other_equipment.asset_tag, "name": "Cycles", "unit": "cycles"},
    )
    assert response.status_code == 400
    assert "No equipment with this asset tag on your sites." in response.content.decode()
    assert not Meter.objects.filter(name="Cycles").exists()


def test_a_typed_tag_with_a_null_character_is_refused_before_any_query(
    as_user, planner, technician, filler, shift
):
    """PostgreSQL cannot compare a NUL character: the lookup would fail (a 500), not miss."""
    response = as_user(planner).post(
        "/equipment/meters/add/", {"equipment": "L1\x00", "name": "Cycles", "unit": "cycles"}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    entry = {"category": "note", "equipment": "L1\x00", "text": "Checked"}
    response = as_user(technician).post(f"/shifts/{shift.pk}/entries/add/", entry)
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_other_sites_register_pages_are_404(as_user, outsider, line):
    client = as_user(outsider)
    assert client.get(f"/equipment/sites/{line.area.site.pk}/").status_code == 404
    assert client.get(f"/equipment/areas/{line.area.pk}/").status_code == 404
    assert client.get(f"/equipment/lines/{line.pk}/").status_code == 404
    assert client.get(f"/equipment/lines/{line.pk}/edit/").status_code == 404


def test_the_line_page_shows_its_reliability_once_and_its_name_in_the_trail(
    as_user, supervisor, line, filler
):
    html = as_user(supervisor).get(f"/equipment/lines/{line.pk}/").content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"{line.code} {line.name} · Plant Logbook"
    assert html.count('id="rel-h"') == 1
    trail = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert trail.rstrip().endswith(f'<li aria-current="page">{line}</li>\n  </ol>')


def test_the_line_page_shows_its_machines_a_page_at_a_time(
    as_user, supervisor, line, filler_class, django_assert_max_num_queries
):
    from logbook.equipment.views import LINE_CARDS
    from tests.factories import EquipmentFactory

    client = as_user(supervisor)
    url = f"/equipment/lines/{line.pk}/"
    EquipmentFactory.create_batch(3, line=line, equipment_class=filler_class)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    EquipmentFactory.create_batch(LINE_CARDS, line=line, equipment_class=filler_class)
    with django_assert_max_num_queries(len(few)):
        first = client.get(url)
    assert len(first.context["equipment"]) == LINE_CARDS
    assert f"Machines 1–{LINE_CARDS} of {LINE_CARDS + 3}" in first.content.decode()
    rest = client.get(url, {"page": 2})
    assert len(rest.context["equipment"]) == 3
    assert client.get(url, {"page": "junk"}).status_code == 200  # the first page
