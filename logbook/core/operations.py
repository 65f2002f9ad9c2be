"""What plant IT asks of a running logbook: is it ready (/readyz), how is it doing (/metrics)."""

import hmac
import ipaddress

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from logbook.core.observability import metrics_text
from logbook.core.views import database_write_problem

# A file every page needs: if it is not where the pages will ask for it, nothing looks right.
STATIC_PROBE = "css/logbook.css"


def readiness_problems() -> list[str]:
    """What stops this server from serving the plant now (empty when it is ready)."""
    problem = database_write_problem()
    if problem:
        return [f"database takes no writes: {problem}"]
    problems = []
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return [f"migrations cannot be read: {error}"]
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        problems.append(f"{len(plan)} migrations not applied (manage.py migrate): {pending}")
    if not static_in_place():
        problems.append(f"static files not in place (manage.py collectstatic): {STATIC_PROBE}")
    return problems


def static_in_place() -> bool:
    if settings.PLAIN_STATIC_STORAGE:  # development and tests serve the source files
        return finders.find(STATIC_PROBE) is not None
    try:
        return staticfiles_storage.exists(staticfiles_storage.stored_name(STATIC_PROBE))
    except ValueError:  # not in the manifest: collectstatic has not run
        return False


@never_cache
def readyz(request):
    """200 when this server can serve: the database takes writes, every migration is applied
    and the static files are in place; 503 with the reasons otherwise. (/healthz: alive.)"""
    problems = readiness_problems()
    if problems:
        return JsonResponse({"ready": False, "problems": problems}, status=503)
    return JsonResponse({"ready": True})


def _address_allowed(request) -> bool:
    allowed = settings.METRICS_ALLOWED_ADDRESSES
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(get_client_ip_address(request) or "")
    except ValueError:
        return False
    return any(address in network for network in allowed)


@never_cache
def metrics(request):
    """The Prometheus text format, for ``Authorization: Bearer <METRICS_TOKEN>`` from an allowed
    address (METRICS_ALLOWED_ADDRESSES, if set). Without METRICS_TOKEN, refused to everyone."""
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    scheme, _space, given = sent.partition(" ")
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(given, token):
        answer = HttpResponse(
            "metrics need Authorization: Bearer <METRICS_TOKEN>\n",
            status=401,
            content_type="text/plain",
        )
        answer["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return answer
    if not _address_allowed(request):
        return HttpResponse(
            "metrics are not served to this address\n", status=403, content_type="text/plain"
        )
    body, content_type = metrics_text()
    return HttpResponse(body, content_type=content_type)
