"""Languages: every word a page shows is marked for translation, and every catalogue is complete.

The pseudo-locale walk renders every page with a translation that wraps whatever passes through
gettext in ⟦…⟧. What is left outside the brackets, once the records' own text (names, notes:
data, not interface) is taken away, is a word nobody marked: the test names it and its page.
"""

import re
import shutil
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils.translation import trans_real

from logbook.accounts.models import User
from tests.browser.test_accessibility import html_pages
from tests.demo_plant import demo_with_every_locked_kind

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Shown as they are in every language: the product's name, and units and symbols read the same.
KEPT = {
    "Plant",
    "Logbook",
    *(name for _code, name in settings.LANGUAGES),  # each language is offered in its own name
    *("min", "Cp", "Cpk", "Pp", "Ppk", "kg", "mm", "pcs", "h", "s", "ms"),
}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}


class Pseudo(trans_real.DjangoTranslation):
    """English, with every translated string wrapped in ⟦…⟧."""

    def __init__(self):
        super().__init__("en")

    def gettext(self, message):
        if message == "yes,no,maybe":  # the yesno filter splits its translation at the commas
            return ",".join(f"⟦{word}⟧" for word in message.split(","))
        if "\x04" in message:  # pgettext: "context\x04message"
            return f"⟦{message.split(chr(4), 1)[1]}⟧"
        return f"⟦{super().gettext(message)}⟧"

    def ngettext(self, singular, plural, number):
        return f"⟦{super().ngettext(singular, plural, number)}⟧"


class Texts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts, self.attributes, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += tag != "svg"
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.attributes.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def data_strings() -> re.Pattern:
    """Every piece of text the records hold (names, codes, notes, people): data, not interface."""
    found = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        if fields and not model._meta.label.startswith(("sessions.", "admin.", "axes.")):
            for row in model._base_manager.values_list(*fields):
                for value in row:
                    if value and len(value) > 1:
                        found.add(value)
                        found.add(value.splitlines()[0])  # a text's first line is its title
    for user in User.objects.all():
        found.add(str(user))
    found.update(zoneinfo.available_timezones())  # a site's zone is named by its IANA name
    values = sorted(found, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)")


def unmarked(html: str, data: re.Pattern) -> set[str]:
    parser = Texts()
    parser.feed(html)
    words = set()
    # The page's text as one (a translation may hold markup: its brackets then span elements),
    # and each attribute on its own.
    for text in ["\n".join(parser.texts), *parser.attributes]:
        text = re.sub(r"https?://\S+|\b\w+(?:/[\w+-]+)+", " ", text)  # addresses, time zones
        previous = None
        while previous != text:  # innermost brackets first: a translation may wrap another
            previous, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        text = data.sub(" ", text)
        for word in re.findall(r"[^\W\d_]{2,}", text):
            if word not in KEPT and not word.isupper():
                words.add(word)
    return words


@pytest.fixture
def pseudo_locale(monkeypatch):
    pseudo = Pseudo()
    monkeypatch.setattr(trans_real, "translation", lambda language: pseudo)
    monkeypatch.setattr(trans_real, "_default", pseudo)
    monkeypatch.setattr(trans_real._active, "value", pseudo, raising=False)
    return pseudo


@pytest.mark.django_db
def test_every_page_marks_every_word_it_shows_for_translation(pseudo_locale):
    demo_with_every_locked_kind()
    data = data_strings()
    wrong = []
    anonymous = Client(raise_request_exception=False)
    pages = [("login", anonymous, "/accounts/login/")]
    for username in ("operator", "tech", "quality", "planner", "supervisor", "admin"):
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        every_page = username == "admin"
        pages += [(name, client, url) for url, name in html_pages(user, every_page)]
    for name, client, url in pages:
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        words = unmarked(response.content.decode(), data)
        if words:
            wrong.append(f"{url} ({name}): {', '.join(sorted(words))}")
    assert not wrong, f"{len(wrong)} pages show unmarked words:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_entry_is_translated_and_none_is_fuzzy(language):
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
        catalogue = read_po(po, locale=language)
    missing, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    problems = [f"{m.id!r}: {', '.join(map(str, errors))}" for m, errors in catalogue.check()]
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:20]}"
    assert not problems, f"placeholders differ in {language}: {problems[:20]}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext is not installed here (.ci/run installs it): makemessages needs it",
)
def test_the_catalogues_hold_every_string_marked_in_the_code(tmp_path, settings, monkeypatch):
    """Extract the marked strings afresh (from a copy of the code, so the catalogues here stay
    as they are) and compare: a string marked since the catalogues were last made (`make
    messages`) and not translated fails here."""
    for part in ("logbook", "config", "templates", "static"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("*.pyc"))
    (tmp_path / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["de"], verbosity=0)
    with open(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po", "rb") as po:
        marked = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}
    for language in LANGUAGES:
        with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
            held = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}
        assert not marked - held, (
            f"not in locale/{language} (run make messages, then translate): "
            f"{sorted(marked - held)[:20]}"
        )
