"""Browser tests: Playwright driving Debian's Chromium, headless, against a live server.

Never `playwright install`: it downloads a browser, which cannot work on a plant network nor
here. The tests use /usr/bin/chromium (apt-get install chromium) and say so when it is missing.
"""

import os
import shutil
from pathlib import Path

import pytest
import time_machine
from django.db import connections

from tests.factories import PASSWORD
from tests.timeline import NOW

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make for
# their fixtures are still synchronous and safe (Django's check is about real async code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Screenshots go under var/ (ignored), so a test run leaves the checkout as it was; `make
# screenshots` refreshes the ones the documentation shows by naming docs/screenshots here.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")
TABLET = {"width": 1024, "height": 768}  # a 10-inch tablet in landscape
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    missing = shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists()
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))
            if missing:
                item.add_marker(
                    pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install chromium")
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # No service worker (static/js/offline.js registers one on every signed-in page): its
    # background requests would reach the live server while a test reads the database in
    # its own thread, and an in-memory SQLite database is one connection shared by both.
    # The offline journeys (test_offline_journey.py) allow it and read the database only
    # when the page is idle.
    return {
        **browser_context_args,
        "viewport": TABLET,
        "has_touch": True,
        "locale": "en-GB",
        "service_workers": "block",
    }


@pytest.fixture(scope="session", autouse=True)
def _close_connections_made_beside_playwright(playwright, django_db_setup, django_db_blocker):
    """Between its calls, Playwright's sync API leaves its event loop marked as running in the
    test thread, so Django keeps the connections the tests open meanwhile in a second,
    context-local store that the test database's teardown does not close. PostgreSQL refuses to
    drop a database somebody is still connected to: close them while that loop is still set."""
    yield
    with django_db_blocker.unblock():
        connections.close_all()


@pytest.fixture(autouse=True)
def offline(page, live_server):
    """Plants run isolated networks: a page that asks another host for anything fails the test,
    whether the request went out or the content security policy stopped it first."""
    elsewhere = []

    def only_the_app(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def policy_violation(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            elsewhere.append(message.text)

    page.route("**/*", only_the_app)
    page.on("console", policy_violation)
    yield
    assert elsewhere == [], f"pages asked other hosts for {elsewhere}"


@pytest.fixture
def login(page, live_server):
    """Log in through the login form, as a person would: ``login(technician)``."""

    def do(user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


@pytest.fixture
def clock():
    """The clock runs on from 10:00 on a Monday in Berlin (tests/timeline.py): the early shift
    is under way."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ (docs/screenshots/ with `make
    screenshots`: README.md shows some of them)."""

    def take(name, target=None):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (target or page).screenshot(path=str(path), **({} if target else {"full_page": True}))
        return path

    return take
