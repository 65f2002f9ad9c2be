"""The language of the pages: the profile's choice, else the login page's switch or the browser's;
numbers typed and shown the way that language writes them."""

import decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from logbook.accounts import services
from logbook.shifts.models import ProductionRecord

pytestmark = pytest.mark.django_db


def test_a_person_picks_the_language_of_their_pages_on_their_profile(as_user, technician):
    client = as_user(technician)
    answer = client.post(
        "/accounts/profile/", {"prefs-language": "de", "prefs-daily_digest": ""}, follow=True
    )
    assert "Ihre Einstellungen sind gespeichert." in answer.content.decode()  # already German
    technician.refresh_from_db()
    assert technician.language == "de"

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="es")  # the profile wins over the browser
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()
    assert "Meine Schicht" in page.content.decode()


def test_without_a_choice_the_browser_language_is_used(as_user, technician):
    page = as_user(technician).get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert page["Content-Language"] == "es"
    assert "Mi turno" in page.content.decode()


def test_the_login_page_switch_keeps_its_language(db):
    client = Client()
    answer = client.post("/i18n/setlang/", {"language": "pl", "next": "/accounts/login/"})
    assert answer.status_code == 302 and answer.url == "/accounts/login/"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zaloguj się" in page and '<html lang="pl">' in page


def test_only_an_offered_language_is_kept(as_user, technician):
    with pytest.raises(ValidationError):
        services.preferences_update(user=technician, language="fr")
    answer = as_user(technician).post("/accounts/profile/", {"prefs-language": "klingon"})
    assert answer.status_code == 400
    technician.refresh_from_db()
    assert technician.language == ""


def counts(**changes):
    return {
        "product": "Cola",
        "produced_count": 1000,
        "good_count": 990,
        "planned_stop_minutes": 30,
        **changes,
    }


def test_a_german_technician_types_the_decimal_comma_and_reads_it_back(as_user, technician, shift):
    technician.language = "de"
    technician.save()
    client = as_user(technician)
    data = counts(ideal_cycle_time_s="0,25")
    assert client.post(f"/shifts/{shift.pk}/production/add/", data).status_code == 302
    record = ProductionRecord.objects.get()
    assert record.ideal_cycle_time_s == decimal.Decimal("0.25")
    form = client.get(f"/shifts/production/{record.pk}/edit/").content.decode()
    assert 'value="0,25"' in form and 'inputmode="decimal"' in form


def test_in_english_the_decimal_point_is_the_separator(as_user, technician, shift):
    client = as_user(technician)
    data = counts(ideal_cycle_time_s="0,25")
    assert client.post(f"/shifts/{shift.pk}/production/add/", data).status_code == 400
    data["ideal_cycle_time_s"] = "0.25"
    assert client.post(f"/shifts/{shift.pk}/production/add/", data).status_code == 302
    assert ProductionRecord.objects.get().ideal_cycle_time_s == decimal.Decimal("0.25")


def test_the_api_answers_in_the_persons_language(as_user, technician, shift):
    technician.language = "pl"
    technician.save()
    answer = as_user(technician).post(
        "/api/log-entries/", {"shift": shift.pk}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "To pole jest wymagane." in str(answer.json())
