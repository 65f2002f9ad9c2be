"""Every role is refused (403) the pages of the steps that are not its own, before anything is
looked up or changed. Ids name no record: the role check comes first."""

import pytest

N = 999999  # no such record: a 403 here is the role check, not a lookup

REFUSED = [
    # A technician logs, repairs and inspects; signing, planning and quality decisions are not
    # theirs.
    ("technician", "post", f"/shifts/{N}/sign-off/"),
    ("technician", "get", "/shifts/patterns/add/"),
    ("technician", "get", f"/audit/shifts.shift/{N}/"),
    ("technician", "post", f"/downtime/{N}/amend/"),
    ("technician", "get", "/maintenance/schedules/add/"),
    ("technician", "post", f"/maintenance/work-orders/{N}/verify/"),
    ("technician", "post", f"/maintenance/work-orders/{N}/send-back/"),
    ("technician", "post", f"/maintenance/work-orders/{N}/cancel/"),
    ("technician", "post", f"/maintenance/work-orders/{N}/amend/"),
    ("technician", "get", "/maintenance/parts/add/"),
    ("technician", "get", "/maintenance/certifications/add/"),
    ("technician", "get", "/quality/plans/add/"),
    ("technician", "post", f"/quality/inspections/{N}/sign/"),
    ("technician", "post", f"/quality/nonconformances/{N}/disposition/"),
    ("technician", "post", f"/quality/nonconformances/{N}/close/"),
    ("technician", "post", f"/quality/nonconformances/{N}/amend/"),
    # A planner plans; the floor's records are the floor's.
    ("planner", "post", f"/shifts/{N}/entries/add/"),
    ("planner", "post", "/shifts/start/"),
    ("planner", "get", "/downtime/new/"),
    ("planner", "get", "/quality/inspect/"),
    ("planner", "post", f"/maintenance/work-orders/{N}/verify/"),
    # Quality staff neither start shifts nor raise or plan maintenance.
    ("quality", "post", "/shifts/start/"),
    ("quality", "get", "/maintenance/work-orders/new/"),
    ("quality", "post", f"/shifts/{N}/sign-off/"),
    # A supervisor signs shifts and verifies work; quality plans and closures are quality's.
    ("supervisor", "get", "/quality/plans/add/"),
    ("supervisor", "post", f"/quality/nonconformances/{N}/close/"),
    ("supervisor", "post", f"/quality/inspections/{N}/sign/"),
]


@pytest.mark.parametrize(("persona", "method", "url"), REFUSED)
def test_a_role_is_refused_the_steps_that_are_not_its_own(request, as_user, persona, method, url):
    client = as_user(request.getfixturevalue(persona))
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("url", ["/shifts/", "/downtime/", "/maintenance/", "/quality/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
