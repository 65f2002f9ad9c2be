"""In the plant's own language: a German technician logs a shift end to end (decimal comma
included), and someone at the login page switches its language."""

import decimal

import pytest
from playwright.sync_api import expect

from logbook.shifts.models import ProductionRecord, Shift
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def techde(line):
    return UserFactory(
        username="techde",
        first_name="Jonas",
        last_name="Becker",
        roles=["technician"],
        member_of=[line.area.site],
        language="de",
    )


def test_a_german_technician_logs_a_shift_and_hands_it_over_in_german(
    login, page, clock, line, patterns, filler, techde, screenshot
):
    login(techde)
    expect(page.get_by_role("heading", name="Hallo, Jonas")).to_be_visible()
    page.get_by_role("link", name="Meine Schicht").first.click()
    expect(page.get_by_text("Diese Schicht hat noch niemand begonnen.")).to_be_visible()
    page.get_by_role("button", name="Schicht beginnen").click()
    expect(page.get_by_text("Schicht L1 Early 2026-06-15 begonnen.")).to_be_visible()

    entry = page.locator("#new-entry")
    entry.get_by_text("Instandhaltung", exact=True).click()
    entry.get_by_label("Anlage").fill("L1-FIL-01")
    entry.get_by_label("Text").fill("Antriebskette des Füllers geschmiert")
    entry.get_by_role("button", name="Eintrag hinzufügen").click()
    expect(page.get_by_text("Eintrag hinzugefügt.")).to_be_visible()
    expect(page.locator(".timeline .entry").first).to_contain_text("Antriebskette")

    counts = page.locator(".counts-form")
    counts.get_by_label("Produkt").fill("Cola 0,5 L PET")
    counts.get_by_label("Produziert").fill("98000")
    counts.get_by_label("Gut", exact=True).fill("97100")
    counts.get_by_label("Ideale Taktzeit (s/Stück)").fill("0,15")  # the German decimal comma
    counts.get_by_label("Geplante Stopps (min)").fill("30")
    counts.get_by_role("button", name="Stückzahlen speichern").click()
    expect(page.get_by_text("Stückzahlen erfasst.", exact=True)).to_be_visible()
    assert ProductionRecord.objects.get().ideal_cycle_time_s == decimal.Decimal("0.15")
    expect(page.get_by_role("cell", name="0,15")).to_be_visible()
    screenshot("shift-page-de")

    handover = page.locator("#handover")
    expect(handover.locator(".handover-preview")).to_contain_text("98.000 produziert, 97.100 gut")
    handover.get_by_label("Was die Aufzeichnungen nicht sagen können").fill("Füller lief gut.")
    handover.get_by_role("button", name="Übergeben").click()
    expect(page.get_by_text("Schicht übergeben.")).to_be_visible()
    expect(page.get_by_text("Von der nächsten Schicht noch nicht bestätigt.")).to_be_visible()
    assert Shift.objects.get().status == "handed_over"


def test_the_login_page_switches_language_and_the_profile_choice_wins(
    page, live_server, techde, screenshot
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", name="Zaloguj się")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    screenshot("login-pl")

    # The German technician's own choice wins over the language picked at the login page.
    page.get_by_label("Nazwa użytkownika").fill(techde.username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", name="Hallo, Jonas")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
