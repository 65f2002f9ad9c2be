"""Every list page exports its filtered rows to CSV and Excel, whatever its columns."""

import csv
import io

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from logbook.accounts.models import User
from logbook.core.views import ObjectListView


def _list_pages(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _list_pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view = getattr(pattern.callback, "view_class", None)
            if view and issubclass(view, ObjectListView) and not pattern.pattern.converters:
                yield reverse(f"{namespace}{pattern.name}")


def test_every_list_page_exports_the_demo_plant(db, client):
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="admin"))
    pages = list(_list_pages())
    assert {"/equipment/", "/shifts/", "/downtime/", "/maintenance/", "/quality/"} <= set(pages)
    for url in pages:
        shown = client.get(url, {"show": "all", "per_page": 1}).context["table"].paginator.count
        response = client.get(url, {"show": "all", "_export": "csv"})
        assert response.status_code == 200, url
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) - 1 == shown > 0, url
        response = client.get(url, {"show": "all", "_export": "xlsx"})
        assert response.status_code == 200, url
        assert response.content.startswith(b"PK"), url  # a zip, as .xlsx files are
