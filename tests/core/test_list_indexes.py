"""Every list of records that grow with time reads its first page through an index.

A list page or list endpoint shows its newest (or most due) rows first. Without an index that
gives that order, the database sorts every row of the table to show 25: fine on the demo plant,
seconds on five years of a company. This test asks the database itself (SQLite's ``EXPLAIN
QUERY PLAN``, PostgreSQL's ``EXPLAIN``) how it would run each list's default query, so a new
list or a new default order without its index fails here.
"""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logbook.accounts.models import User
from logbook.maintenance.models import WorkOrder
from tests.core.test_exports import _list_pages
from tests.demo_plant import demo_with_every_locked_kind

# Lists whose rows are the plant's structure, not its history: a few dozen rows whatever the
# years, so a sort costs nothing and an index would only slow the writes.
STRUCTURE = {
    "equipment_site",
    "equipment_area",
    "equipment_line",
    "equipment_equipmentclass",
    "shifts_shiftpattern",
    "downtime_reasoncode",
    "downtime_failurecode",
    "quality_inspectionplan",
    "maintenance_sparepart",
    "accounts_certification",
    # One or two per metered machine: grows with the register, not with the years. Its order
    # (the machine's asset tag, then the meter's name) spans two tables, so no one index gives
    # it; 20,000 meters sort in milliseconds.
    "equipment_meter",
}


def _lists():
    """(url, model) of every list page and list endpoint."""
    from config.urls import router

    yield from _list_pages(with_model=True)
    for prefix, viewset, _ in router.registry:
        yield f"/api/{prefix}/", viewset.queryset.model


def _page_query(client, url, table) -> str | None:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    for query in captured.captured_queries:
        sql = query["sql"]
        if f'FROM "{table}"' in sql and "ORDER BY" in sql and "LIMIT" in sql:
            return sql
    return None


def _sorts_every_row(sql, table) -> bool:
    """Whether the database would sort the whole result to find the first rows.

    An index giving the leading order columns is enough: the rest of the order is then sorted
    among rows that tie on them (SQLite's "RIGHT PART", PostgreSQL's incremental sort).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            # Rows whose parent is 0 belong to the outer query, not to a subquery.
            outer = [detail for _id, parent, _unused, detail in cursor.fetchall() if parent == 0]
            # A sort of the rows an index picked out (the open work orders by their status) is
            # a sort of those few; a sort after reading the whole table is what must not be.
            return "USE TEMP B-TREE FOR ORDER BY" in outer and any(
                detail.startswith(f"SCAN {table}") for detail in outer
            )
        with transaction.atomic():
            # Ask for the plan the data would get at scale: the test's few rows would make a
            # sort the cheapest plan, so it is priced out, as is reading the whole table.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return _has_full_sort(plan[0]["Plan"])


def _forget_table_sizes():
    """SQLite plans by the statistics the demo's load gathered: with a few rows in each table
    a sort is the cheapest plan. Without them it judges by structure, as at scale."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")  # makes the planner re-read them


def _has_full_sort(node) -> bool:
    if node["Node Type"] == "Sort":
        return True
    return any(
        _has_full_sort(child)
        for child in node.get("Plans", ())
        if child.get("Parent Relationship") not in ("SubPlan", "InitPlan")
    )


def test_every_growing_list_reads_its_first_page_through_an_index(db, client):
    demo_with_every_locked_kind()
    _forget_table_sizes()
    client.force_login(User.objects.get(username="admin"))
    checked, sorted_in_full, no_query = [], [], []
    for url, model in _lists():
        table = model._meta.db_table
        if table in STRUCTURE:
            continue
        sql = _page_query(client, url, table)
        if sql is None:
            no_query.append(url)
            continue
        checked.append(url)
        if _sorts_every_row(sql, table):
            sorted_in_full.append(f"{url}: {sql[sql.rfind('ORDER BY') :]}")
    assert not no_query, f"lists whose page query was not seen (no demo rows?): {no_query}"
    assert {"/shifts/", "/downtime/", "/api/log-entries/", "/quality/"} <= set(checked)
    assert not sorted_in_full, "\n".join(["sorted without an index:", *sorted_in_full])


def test_the_register_sorted_by_name_reads_through_an_index(db, client):
    """The register is a list people sort by name: page 40 of 20,000 machines sorted them all,
    each with its "down since" worked out, before showing 25 (bench/: 31 → 2 ms on SQLite)."""
    demo_with_every_locked_kind()
    _forget_table_sizes()
    client.force_login(User.objects.get(username="admin"))
    # Every page first: on PostgreSQL the plans are asked with sorts priced out for the rest of
    # the test's transaction, which would slow a page asked after them to a crawl.
    pages = {
        url: _page_query(client, url, "equipment_equipment")
        for url in ("/equipment/?sort=name", "/equipment/?sort=-name&page=2")
    }
    for url, sql in pages.items():
        assert sql is not None and '"equipment_equipment"."name"' in sql[sql.rfind("ORDER BY") :]
        assert not _sorts_every_row(sql, "equipment_equipment"), (url, sql)


def _statements(client, url):
    """(sql, params) of every statement a page runs, the parameters bound as the app binds them
    (the captured text has them written in, which a planner reads differently)."""
    seen = []

    def keep(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assert client.get(url).status_code == 200, url
    return seen


def test_the_open_work_is_asked_for_in_the_words_of_its_own_index(db, client):
    """The work order list opens on the open work, and "still to do" and "overdue" are parts of
    it: a partial index holds the open orders in the list's order. SQLite uses a partial index
    only when the statement itself, before its parameters are bound, states the index's
    condition: with the statuses bound, it walked five years of verified orders through the
    index of all orders (100 ms for 25 rows on the bench). So each page query must carry the
    condition written out, as the index's definition does."""
    demo_with_every_locked_kind()
    late = WorkOrder.objects.active().order_by("pk").first()
    WorkOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=60))
    condition = """"maintenance_workorder"."status" IN ('open', 'in_progress', 'done')"""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'maintenance_wo_open_due_order'"
            )
            assert cursor.fetchone()[0].endswith(
                """WHERE "status" IN ('open', 'in_progress', 'done')"""
            )
    client.force_login(User.objects.get(username="supervisor"))
    for url in ("/maintenance/", "/maintenance/?show=todo", "/maintenance/?overdue=true"):
        pages = [
            sql
            for sql, _params in _statements(client, url)
            if 'FROM "maintenance_workorder"' in sql and "LIMIT" in sql
        ]
        assert pages, url
        for sql in pages:
            assert condition in sql, (url, sql)


def test_only_plain_codes_are_written_into_the_sql(db):
    with pytest.raises(ValueError):
        list(WorkOrder.objects.filter(status__in_written=["open') OR ('1' = '1"]))
    assert not WorkOrder.objects.filter(status__in_written=["no_such_status"]).exists()


def test_the_plans_schedules_without_active_work_ask_in_the_indexs_words(db, client):
    """The maintenance plan lists the schedules due soon that have no active order yet: the
    "no active order" check is answered by the index of each schedule's active order only
    when it says the statuses as that index does (5,000 schedules at five years: 515 → 85 ms
    on SQLite, which otherwise read every order once per schedule)."""
    demo_with_every_locked_kind()
    client.force_login(User.objects.get(username="planner"))
    schedule_queries = [
        sql
        for sql, _params in _statements(client, "/maintenance/plan/")
        if 'FROM "maintenance_maintenanceschedule"' in sql and "maintenance_workorder" in sql
    ]
    assert schedule_queries
    for sql in schedule_queries:
        assert """"status" IN ('open', 'in_progress')""" in sql, sql
