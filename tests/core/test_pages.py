"""What every page shares: roles in the menu, error pages, and nothing from the internet."""

import pytest

from tests.conftest import external_references

PAGES = [
    "/",
    "/equipment/",
    "/equipment/sites/",
    "/equipment/lines/",
    "/equipment/meters/",
    "/equipment/classes/",
    "/equipment/areas/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_another_host(as_user, supervisor, filler, url):
    response = as_user(supervisor).get(url)
    assert response.status_code == 200
    assert external_references(response.content.decode()) == []


def test_the_content_security_policy_forbids_other_hosts(as_user, supervisor, filler):
    policy = as_user(supervisor).get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_the_equipment_page_and_label_load_nothing_from_another_host(as_user, planner, filler):
    client = as_user(planner)
    for url in (
        f"/equipment/{filler.pk}/",
        f"/equipment/{filler.pk}/label/",
        f"/equipment/{filler.pk}/edit/",
        "/equipment/add/",
    ):
        assert external_references(client.get(url).content.decode()) == [], url


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("technician", "Record run hours and cycles", "Register a machine"),
        ("quality", "Record run hours and cycles", "Register a machine"),
        ("planner", "Register a machine", "Users, roles, sites"),
        ("supervisor", "Equipment that is not running", "Register a machine"),
        ("admin", "Users, roles, sites", "Record run hours and cycles"),
    ],
)
def test_the_home_page_fits_the_role(request, as_user, persona, expected, absent, filler):
    html = as_user(request.getfixturevalue(persona)).get("/").content.decode()
    assert expected in html
    assert absent not in html


def test_the_home_page_lists_down_equipment_of_the_users_sites_only(
    as_user, supervisor, filler, other_equipment
):
    from logbook.downtime.models import DowntimeIncident

    DowntimeIncident.objects.create(equipment=filler)
    DowntimeIncident.objects.create(equipment=other_equipment)
    html = as_user(supervisor).get("/").content.decode()
    assert "L1-FIL-01" in html
    assert "B1-FIL-01" not in html


def test_the_admin_link_shows_only_for_staff(as_user, technician, admin):
    assert 'href="/admin/"' not in as_user(technician).get("/").content.decode()
    assert 'href="/admin/"' in as_user(admin).get("/").content.decode()


def test_a_refusal_renders_the_403_page(as_user, technician):
    response = as_user(technician).get("/equipment/add/")
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_an_unknown_page_renders_the_404_page(as_user, technician):
    response = as_user(technician).get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_login_lands_on_the_home_page(client, technician):
    from tests.factories import PASSWORD

    response = client.post(
        "/accounts/login/", {"username": "tech", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Hello" in response.content.decode()


def test_a_wrong_password_says_so(client, technician):
    response = client.post("/accounts/login/", {"username": "tech", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_times_show_in_the_users_site_zone(as_user, technician):
    assert "Times shown in Europe/Berlin" in as_user(technician).get("/").content.decode()


@pytest.mark.parametrize(
    ("persona", "url", "add_url", "add_label"),
    [
        ("technician", "/downtime/", "/downtime/new/", "Machine down"),
        ("technician", "/maintenance/", "/maintenance/work-orders/new/", "Raise a work order"),
        ("planner", "/maintenance/schedules/", "/maintenance/schedules/add/", None),
        ("supervisor", "/maintenance/certifications/", "/maintenance/certifications/add/", None),
        ("technician", "/quality/", "/quality/inspect/", "Inspect"),
        ("quality", "/quality/plans/", "/quality/plans/add/", None),
        ("quality", "/quality/nonconformances/", None, None),  # raised from an inspection
        ("technician", "/maintenance/schedules/", None, None),  # not the technician's to plan
        ("planner", "/equipment/", "/equipment/add/", None),
    ],
)
def test_each_list_offers_its_add_button_to_whom_it_may(
    request, as_user, persona, url, add_url, add_label, filler
):
    context = as_user(request.getfixturevalue(persona)).get(url).context
    assert context.get("add_url") == add_url
    assert context.get("add_label") == add_label


def test_the_favicon_a_browser_asks_for_is_the_apps_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]


def test_the_login_page_names_no_time_zone_it_cannot_know(client, db, site):
    """Before logging in, the plant's zone is unknown: "Times shown in UTC" would be wrong."""
    html = client.get("/accounts/login/").content.decode()
    assert "Times shown in" not in html


def test_a_signed_in_user_sees_times_in_the_sites_zone(as_user, technician):
    html = as_user(technician).get("/").content.decode()
    assert f"Times shown in {technician.sites.get().timezone}" in html


def test_the_supervisors_home_counts_the_shifts_to_sign_off(as_user, supervisor, technician, shift):
    from logbook.shifts import services

    assert "Shifts to sign off (0)" in as_user(supervisor).get("/").content.decode()
    services.shift_hand_over(shift=shift, user=technician, summary="ok")
    assert "Shifts to sign off (1)" in as_user(supervisor).get("/").content.decode()
