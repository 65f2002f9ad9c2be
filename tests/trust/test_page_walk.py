"""Every page, as every demo role, walked from the home page through its links and buttons.

A page shows only the actions its user may take: no link on any page reached from home answers
403 to the person it is shown to, and no button (a POST form) is refused either. Along the way,
no page's ``<title>`` holds markup (the line page once put its reliability block there).
"""

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from logbook.accounts.models import User
from logbook.core.access import may_open
from tests.demo_plant import demo_with_every_locked_kind

ROLES = ("operator", "tech", "quality", "planner", "supervisor", "admin")
# Distinct URLs of one route a persona's walk opens and reads for more links (each URL that is
# linked is still checked once; only reading further is bounded).
READ_PER_ROUTE = 3
# Not pages of the app: the Django admin checks its own permissions (its link shows to staff
# only), static and media files, exports (the list's own permission), the API browser.
NOT_WALKED = ("/admin/", "/static/", "/media/", "/api/")
SKIPPED_PARAMS = ("_export",)


class Links(HTMLParser):
    """The page's title, the targets of its links, and the actions of its POST forms."""

    def __init__(self):
        super().__init__()
        self.title, self.links, self.posts = "", [], []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.posts.append(attrs.get("action") or "")
        elif tag in ("button", "input") and attrs.get("formaction"):
            self.posts.append(attrs["formaction"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _ours(base, href):
    """The app path (with its query) ``href`` points to from ``base``, or None."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.netloc not in ("", "testserver") or url.path.startswith(NOT_WALKED):
        return None
    if any(f"{param}=" in url.query for param in SKIPPED_PARAMS):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def _route(path):
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def _locked_pages():
    """The page of one locked record of each kind (signed, verified, closed): the walk from home
    reads only a few pages of each route, and these are the ones whose buttons change."""
    pages = []
    for model in apps.get_models():
        if not isinstance(getattr(model, "is_locked", None), property):
            continue
        if not hasattr(model, "get_absolute_url"):
            continue
        locked = next((o for o in model._base_manager.order_by("-pk")[:300] if o.is_locked), None)
        if locked is not None:
            pages.append(locked.get_absolute_url())
    return pages


def _walk(client, starts):
    """(refused links, refused buttons, titles with markup) seen on the pages reached.

    Each path is opened once (its first link's query kept): a refusal depends on the page, not
    on the sorting or filters in its query.
    """
    refused, refused_posts, bad_titles = [], [], []
    queue = [(start, "the start") for start in starts]
    seen, posted = {urlsplit(start).path for start in starts}, set()
    read = defaultdict(int)
    while queue:
        path, found_on = queue.pop(0)
        response = client.get(path)
        if response.status_code == 403:
            refused.append(f"{path} (linked from {found_on})")
            continue
        route = _route(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        links = Links()
        links.feed(html)
        # A tag inside the title (the parser reads a title's content as text).
        if re.search(r"<\s*/?\s*[a-zA-Z]", links.title) or "\n\n" in links.title.strip():
            bad_titles.append(f"{path}: {links.title.strip()[:120]!r}")
        read[route] += 1
        if read[route] > READ_PER_ROUTE:
            continue
        for action in links.posts:
            target = _ours(path, action or path)
            if target is None or target in posted or _route(target) == "logout":
                continue
            posted.add(target)
            # A button pressed with nothing filled in: refused (403) or not; undone at once.
            with transaction.atomic():
                status = client.post(target, {}).status_code
                transaction.set_rollback(True)
            if status == 403:
                refused_posts.append(f"{target} (a button on {path})")
        for href in links.links:
            target = _ours(path, href)
            if target is None or urlsplit(target).path in seen or _route(target) is None:
                continue
            seen.add(urlsplit(target).path)
            queue.append((target, path))
    return refused, refused_posts, bad_titles


def test_no_page_offers_a_role_an_action_it_is_refused(db):
    demo_with_every_locked_kind()
    locked = _locked_pages()
    wrong = []
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        # The locked records are opened directly, by those whose role reads them at all.
        starts = ["/", *(page for page in locked if may_open(user, page))]
        refused, refused_posts, bad_titles = _walk(client, starts)
        wrong += [f"{username}: link refused: {item}" for item in refused]
        wrong += [f"{username}: button refused: {item}" for item in refused_posts]
        wrong += [f"{username}: markup in the title of {item}" for item in bad_titles]
    assert not wrong, "\n".join(wrong)
