"""Reads that may lag go to a PostgreSQL streaming replica; everything else to the primary.

With ``DATABASE_REPLICA_URL`` set, the reports (pages and API), the exports and the API's lists
read from the replica, so that a month's KPIs or a 240,000-row export never compete with the
technicians' writes. Every write, and every other read, goes to the primary: a page shown after
a save (the shift page after an entry, the incident after a stage) reads what was just written.
A browser that has just written is also kept on the primary for ``REPLICA_PIN_SECONDS``
(a cookie), so that its next report or list already holds its own write though the replica may
be a moment behind.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "logbook_primary"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

_on_replica = contextvars.ContextVar("logbook_read_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reading_replica() -> bool:
    """Whether reads of the code running now go to the replica."""
    return _on_replica.get()


@contextmanager
def replica_reads(on: bool = True):
    """Reads inside go to the replica (if ``on`` and there is one); writes never do."""
    token = _on_replica.set(on and replica_configured())
    try:
        yield
    finally:
        _on_replica.reset(token)


def reading_connection():
    """The connection that reads of the code running now use (hand-written report SQL too)."""
    return connections[REPLICA if _on_replica.get() else "default"]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _on_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def may_lag(request, view_func) -> bool:
    """Whether this request only reads what may be a moment old: a report, an export, a list
    of the API."""
    if request.method not in ("GET", "HEAD") or request.COOKIES.get(PIN_COOKIE):
        return False
    path = request.path_info
    if path.startswith(("/reports/", "/api/reports/")):
        return True
    if request.GET.get("_export") in ("csv", "xlsx"):
        return True
    actions = getattr(view_func, "actions", None)  # a DRF viewset's {method: action}
    return bool(actions) and actions.get("get") == "list"


class ReplicaMiddleware:
    """Sends the reads of reports, exports and API lists to the replica (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _on_replica.reset(token)
        if request.method in UNSAFE and response.status_code < 400 and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or not may_lag(request, view_func):
            return None
        # The user and their session come from the primary, before the switch: a session made
        # a moment ago may not have reached the replica yet.
        request.user.is_authenticated  # noqa: B018 (loads the lazy user)
        request._replica_token = _on_replica.set(True)
        return None
