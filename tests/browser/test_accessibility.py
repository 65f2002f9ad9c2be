"""Every page, as every role that may open it, at tablet and phone size: no serious or critical
violation of axe-core's WCAG 2.1 A/AA rules.

axe-core (4.12) comes inside the axe-playwright-python package: nothing is fetched at run time.
The pages are the permission matrix's (tests/trust/test_permission_matrix.py), so a new page is
checked here as soon as it has its row there. The administrator, who may take every action,
opens every page, so every control a page can show is on it; each other role opens the pages
drawn for its role (home, profile). Each page is checked at both sizes: the phone's layout is the
same document under other media queries.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from logbook.accounts.demo import DEMO_PASSWORD
from logbook.accounts.models import User
from tests.browser.conftest import PHONE, TABLET
from tests.demo_plant import demo_with_every_locked_kind
from tests.trust.test_permission_matrix import PUBLIC, _cases, _expected, _record, _url

# Fetched by the home and line pages into their "Down now" box, and checked there: not a page.
FRAGMENTS = {"downtime:incident_ongoing"}
ROLES = ("operator", "tech", "quality", "planner", "supervisor", "admin")
# What differs by role beyond the actions shown (the administrator sees them all): the tiles.
ROLE_PAGES = {"home", "profile"}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def html_pages(user, every_page):
    """(url, name) of every page this person may open with a GET, as the permission matrix
    says (only the role's own pages but for the administrator); files, images and JSON
    answers are dropped after loading by their content type."""
    pages = []
    for name, permission, label, method, kind in _cases():
        if kind != "page" or method != "get" or permission == PUBLIC:
            continue
        if not every_page and name not in ROLE_PAGES:
            continue
        if (name.startswith("api-") and name != "api-docs") or name.endswith("_photo"):
            continue
        if name in FRAGMENTS:
            continue
        if _expected(user, permission, label) == "allowed":
            pages.append((_url(name, _record(label) if label else None), name))
    return pages


def violations(axe, page):
    found = axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "resultTypes": ["violations"],
        },
    ).response["violations"]
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
        for v in found
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def demo_plant(transactional_db):
    demo_with_every_locked_kind()


def test_every_page_passes_axe_as_each_role(demo_plant, login, live_server, page):
    axe, wrong, checked = Axe(), [], {}
    for role in ROLES:
        page.context.clear_cookies()
        user = User.objects.get(username=role)
        login(user, password=DEMO_PASSWORD)
        checked[role] = 0
        for url, name in html_pages(user, every_page=role == "admin"):
            page.set_viewport_size(TABLET)
            response = page.goto(live_server.url + url)
            # A locked record's edit page answers 409 with a page of its own: checked as well.
            assert response.status in (200, 409), f"{role} could not open {url} ({name})"
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if name == "api-docs":  # drawn by its script once the schema has loaded
                page.locator(".opblock").first.wait_for()
            for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                wrong += [f"{role} {size} {url} ({name}): {v}" for v in violations(axe, page)]
            checked[role] += 1
    assert checked["admin"] >= 50 and all(checked.values()), checked
    assert not wrong, f"{len(wrong)} findings on {checked} pages:\n" + "\n".join(wrong)


def test_login_page_passes_axe(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    axe = Axe()
    for viewport in (TABLET, PHONE):
        page.set_viewport_size(viewport)
        assert violations(axe, page) == []
