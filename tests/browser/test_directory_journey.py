"""A technician logs in with the plant directory's account; when the directory is down, the
login page says so and local accounts still get in."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD


def test_a_directory_technician_logs_in_and_a_local_account_works_while_the_directory_is_down(
    page, live_server, directory_login, supervisor, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ltech")
    page.get_by_label("Password").fill("floor-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_text("Lena Techner · ltech")).to_be_visible()
    expect(page.get_by_text("your account in the plant's directory")).to_be_visible()
    expect(page.get_by_text("Bremen bottling")).to_be_visible()
    expect(page.get_by_role("heading", name="Change your password")).to_have_count(0)
    screenshot("directory-profile")
    page.context.clear_cookies()

    directory_login.stop()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ltech")
    page.get_by_label("Password").fill("floor-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("directory cannot be reached")
    screenshot("directory-down-login")

    page.get_by_label("Username").fill(supervisor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
