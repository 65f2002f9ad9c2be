"""Every list page exports its filtered rows to CSV and Excel, whatever its columns."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from logbook.accounts.models import User
from logbook.core.views import ObjectListView
from tests.demo_plant import demo_with_every_locked_kind


def _list_pages(patterns=None, namespace="", with_model=False):
    """The URL of every list page (with its model if ``with_model``)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _list_pages(pattern.url_patterns, inner, with_model)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view = getattr(pattern.callback, "view_class", None)
            if view and issubclass(view, ObjectListView) and not pattern.pattern.converters:
                url = reverse(f"{namespace}{pattern.name}")
                yield (url, view.model) if with_model else url


def test_every_list_page_exports_the_demo_plant(db, client):
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="admin"))
    pages = list(_list_pages())
    assert {"/equipment/", "/shifts/", "/downtime/", "/maintenance/", "/quality/"} <= set(pages)
    for url in pages:
        shown = client.get(url, {"show": "all", "per_page": 1}).context["table"].paginator.count
        response = client.get(url, {"show": "all", "_export": "csv"})
        assert response.status_code == 200, url
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
        assert len(rows) - 1 == shown > 0, url
        response = client.get(url, {"show": "all", "_export": "xlsx"})
        assert response.status_code == 200, url
        assert response.getvalue().startswith(b"PK"), url  # a zip, as .xlsx files are


def test_exports_made_from_plain_values_hold_the_same_cells(db, client, monkeypatch):
    """Lists whose columns all read plain values export without making model objects; every
    cell is the one the model objects give (choices as labels, local times, minutes…)."""
    from logbook.core.tables import BaseTable

    demo_with_every_locked_kind()
    client.force_login(User.objects.get(username="admin"))
    pages = list(_list_pages())
    by_values = {
        url: client.get(url, {"show": "all", "_export": "csv"}).getvalue() for url in pages
    }
    used = []
    real_plan = BaseTable._values_plan

    def spy(table, columns, cell):
        plan = real_plan(table, columns, cell)
        used.append(plan is not None)
        return plan

    monkeypatch.setattr(BaseTable, "_values_plan", spy)
    plain = set()
    for url in pages:
        client.get(url, {"show": "all", "_export": "csv"}).getvalue()
        if used[-1]:
            plain.add(url)
    # The lists that grow with the years: 240,000 stops export in a third of the time.
    assert {"/downtime/", "/shifts/", "/maintenance/", "/quality/", "/equipment/"} <= plain, plain
    monkeypatch.setattr(BaseTable, "_values_plan", lambda table, columns, cell: None)
    for url in pages:
        by_models = client.get(url, {"show": "all", "_export": "csv"}).getvalue()
        assert by_values[url] == by_models, url


HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'", "-2+3"]


@pytest.mark.parametrize("text", HOSTILE)
def test_exported_free_text_never_becomes_a_formula(as_user, supervisor, filler, text):
    """OWASP's CSV injection rule, in CSV and XLSX: text that would start a formula is text."""
    import openpyxl

    filler.name = text
    filler.save()
    client = as_user(supervisor)
    rows = list(csv.reader(io.StringIO(client.get("/equipment/?_export=csv").getvalue().decode())))
    name = rows[0].index("Name")
    assert rows[1][name] == "'" + text

    book = openpyxl.load_workbook(io.BytesIO(client.get("/equipment/?_export=xlsx").getvalue()))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Name") + 1)
    assert cell.data_type == "s" and cell.value == "'" + text
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), (
        "a formula in the export"
    )


def test_exported_numbers_stay_numbers_and_dates_are_dates(as_user, supervisor, filler):
    import datetime

    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(as_user(supervisor).get("/equipment/?_export=xlsx").getvalue())
    )
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    commissioned = sheet.cell(row=2, column=header.index("Commissioned on") + 1)
    assert commissioned.is_date
    assert commissioned.value.date() == datetime.date(2020, 1, 15)


@pytest.mark.parametrize("values", [True, False], ids=["value rows", "model objects"])
def test_exported_times_are_the_plants_wall_clock_across_a_clock_change(
    as_user, supervisor, filler, values, monkeypatch
):
    """Stops over the nights the clocks change in Berlin: each time as the plant's clock showed
    it, and the minutes as they passed (an hour each), by value rows and by model objects."""
    import datetime

    from logbook.core.tables import BaseTable
    from logbook.downtime.models import DowntimeIncident

    if not values:
        monkeypatch.setattr(BaseTable, "_values_plan", lambda table, columns, cell: None)
    utc = datetime.UTC
    for start, end in (
        (
            datetime.datetime(2026, 3, 29, 0, 30, tzinfo=utc),
            datetime.datetime(2026, 3, 29, 1, 30, tzinfo=utc),
        ),
        (
            datetime.datetime(2026, 10, 25, 0, 30, tzinfo=utc),
            datetime.datetime(2026, 10, 25, 1, 30, 59, 900000, tzinfo=utc),
        ),
    ):
        DowntimeIncident.objects.create(equipment=filler, started_at=start, ended_at=end)
    response = as_user(supervisor).get("/downtime/", {"show": "all", "_export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    seen = sorted((row["Stopped"], row["Running again"], row["Minutes"]) for row in rows)
    assert seen == [
        ("2026-03-29 01:30:00", "2026-03-29 03:30:00", "60"),  # 02:00 CET became 03:00 CEST
        ("2026-10-25 02:30:00", "2026-10-25 02:30:59", "60"),  # 03:00 CEST became 02:00 CET
    ]
