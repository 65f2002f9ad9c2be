"""Two people edit the same record: the second save does not silently overwrite the first; it is
refused with 409 and a page (or JSON) that shows what changed meanwhile."""

import pytest

from logbook.maintenance import services
from logbook.maintenance.models import MaintenanceSchedule, WorkOrder
from tests.html_forms import posted_form


def _two_edits(first, second, url, field, first_value, second_value):
    """Both open the form; the first saves; then the second saves what they had typed."""
    mine = posted_form(first.get(url).content.decode())
    theirs = posted_form(second.get(url).content.decode())
    assert mine.get("version"), "the edit form carries the record's version"
    assert first.post(url, {**mine, field: first_value}).status_code == 302
    return second.post(url, {**theirs, field: second_value})


@pytest.fixture
def two_planners(client, planner, site):
    from django.test import Client

    from logbook.core.roles import Role
    from tests.factories import UserFactory

    other = UserFactory(username="planner2", roles=[Role.PLANNER], member_of=[site])
    first, second = client, Client()
    first.force_login(planner)
    second.force_login(other)
    return first, second


def test_a_stale_equipment_edit_is_refused_and_shows_what_changed(two_planners, filler):
    first, second = two_planners
    response = _two_edits(
        first, second, f"/equipment/{filler.pk}/edit/", "name", "Filler A", "Filler B"
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "What changed meanwhile" in page and "Filler A" in page and "Rotary filler" in page
    filler.refresh_from_db()
    assert filler.name == "Filler A"


def test_a_stale_schedule_edit_is_refused(two_planners, pm_schedule):
    first, second = two_planners
    url = f"/maintenance/schedules/{pm_schedule.pk}/edit/"
    response = _two_edits(first, second, url, "title", "Grease the chain", "Oil the chain")
    assert response.status_code == 409
    assert MaintenanceSchedule.objects.get().title == "Grease the chain"


def test_a_stale_work_order_edit_is_refused(two_planners, filler, planner, frozen):
    order = services.work_order_create(equipment=filler, user=planner, title="Fix the guide")
    first, second = two_planners
    url = f"/maintenance/work-orders/{order.pk}/edit/"
    response = _two_edits(first, second, url, "title", "Fix the left guide", "Fix guides")
    assert response.status_code == 409
    assert WorkOrder.objects.get().title == "Fix the left guide"


def test_an_edit_of_the_current_version_saves(two_planners, filler):
    first, _ = two_planners
    url = f"/equipment/{filler.pk}/edit/"
    data = posted_form(first.get(url).content.decode())
    assert first.post(url, {**data, "name": "Filler A"}).status_code == 302
    data = posted_form(first.get(url).content.decode())
    assert first.post(url, {**data, "name": "Filler B"}).status_code == 302
    filler.refresh_from_db()
    assert filler.name == "Filler B"


def test_the_api_refuses_an_update_from_an_old_version(api, planner, supervisor, filler):
    client = api(planner)
    response = client.get(f"/api/equipment/{filler.pk}/")
    etag = response["ETag"]
    assert api(supervisor).patch(
        f"/api/equipment/{filler.pk}/", {"name": "Filler A"}, format="json"
    ).status_code in (200, 403)
    filler.name = "Filler A"
    filler.save()
    stale = client.patch(
        f"/api/equipment/{filler.pk}/", {"name": "Filler B"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 409
    fields = [change["field"] for row in stale.json()["changes"] for change in row["fields"]]
    assert "name" in fields
    filler.refresh_from_db()
    assert filler.name == "Filler A"
    fresh = client.get(f"/api/equipment/{filler.pk}/")["ETag"]
    ok = client.patch(
        f"/api/equipment/{filler.pk}/", {"name": "Filler B"}, format="json", HTTP_IF_MATCH=fresh
    )
    assert ok.status_code == 200
    assert ok["ETag"] != fresh


def test_a_stale_admin_edit_is_refused_too(as_user, admin, filler):
    client = as_user(admin)
    url = f"/admin/equipment/equipment/{filler.pk}/change/"
    mine = posted_form(client.get(url).content.decode())
    assert mine.get("version")
    filler.name = "Filler A"
    filler.save()  # someone else, meanwhile
    response = client.post(url, {**mine, "name": "Filler B"})
    assert response.status_code == 409
    assert "What changed meanwhile" in response.content.decode()
    filler.refresh_from_db()
    assert filler.name == "Filler A"
    fresh = posted_form(client.get(url).content.decode())
    assert client.post(url, {**fresh, "name": "Filler B"}).status_code == 302
    filler.refresh_from_db()
    assert filler.name == "Filler B"
