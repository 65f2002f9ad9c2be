"""Which requests may read the replica, and the browser kept on the primary after a write.

The real replica is exercised in test_replica.py (PostgreSQL only); these rules hold without one.
"""

from django.http import HttpResponse
from django.test import RequestFactory

from logbook.core import routing

factory = RequestFactory()


def _list_view():
    pass


_list_view.actions = {"get": "list"}


def _detail_view():
    pass


_detail_view.actions = {"get": "retrieve"}


def test_reports_exports_and_api_lists_may_lag_and_nothing_else():
    assert routing.may_lag(factory.get("/reports/"), _detail_view)
    assert routing.may_lag(factory.get("/api/reports/oee/"), _detail_view)
    assert routing.may_lag(factory.get("/downtime/", {"_export": "csv"}), _detail_view)
    assert routing.may_lag(factory.get("/api/log-entries/"), _list_view)
    # A record read back by its id, a page, a write: the primary.
    assert not routing.may_lag(factory.get("/api/log-entries/7/"), _detail_view)
    assert not routing.may_lag(factory.get("/shifts/7/"), _detail_view)
    assert not routing.may_lag(factory.post("/reports/"), _detail_view)
    assert not routing.may_lag(factory.get("/downtime/", {"_export": "pdf"}), _detail_view)


def test_a_browser_that_just_wrote_reads_the_primary(monkeypatch, settings):
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    settings.REPLICA_PIN_SECONDS = 30

    def answer(status):
        return routing.ReplicaMiddleware(lambda request: HttpResponse(status=status))

    saved = answer(302)(factory.post("/shifts/7/"))
    assert saved.cookies[routing.PIN_COOKIE]["max-age"] == 30
    # A refused write changed nothing: no reason to leave the replica.
    assert routing.PIN_COOKIE not in answer(400)(factory.post("/shifts/7/")).cookies
    pinned = factory.get("/reports/")
    pinned.COOKIES[routing.PIN_COOKIE] = "1"
    assert not routing.may_lag(pinned, _detail_view)
