"""Watching the logbook run: a JSON log line per request, security events, and the Prometheus
metrics (requests, latency, database errors, and the plant's own gauges) that /metrics serves.

Plant IT watches it with what it already has: journald or any log collector reads the JSON
lines, Prometheus scrapes /metrics. See docs/operations.md.
"""

import datetime
import logging
import os
import re
import time
import uuid

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

request_log = logging.getLogger("logbook.request")
security_log = logging.getLogger("logbook.security")

REQUESTS = Counter(
    "logbook_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "logbook_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DATABASE_ERRORS = Counter(
    "logbook_database_errors",
    "Requests refused because the database was unavailable (kind=unavailable) or held its "
    "lock past the wait allowed (kind=lock_wait).",
    ["kind"],
)
OFFLINE_REPLAYS = Counter(
    "logbook_offline_queue_replays",
    "Writes sent again under an Idempotency-Key already applied (a tablet's queue sent twice): "
    "answered with the first answer, applied once.",
)
SECURITY_EVENTS = Counter(
    "logbook_security_events", "Failed logins, lockouts, signatures, refused writes.", ["event"]
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def database_error_kind(error) -> str:
    text = str(error).lower()
    return "lock_wait" if "locked" in text or "lock timeout" in text else "unavailable"


class RequestObservationMiddleware:
    """Outermost: times every request, counts it by view and status, logs one JSON line with a
    request id (the proxy's X-Request-ID if it sent a sane one; sent back in the answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unresolved"
        if request.path.startswith(settings.STATIC_URL) or request.path.startswith("/static/"):
            view = "static"
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(duration)
        response["X-Request-ID"] = request.id
        if view != "static":
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "event": "request",
                    "request_id": request.id,
                    "method": request.method,
                    "path": request.path,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                    "user": user.get_username()
                    if user is not None and user.is_authenticated
                    else "",
                    "address": get_client_ip_address(request) or "",
                },
            )
        return response


def security_event(event: str, request=None, level=logging.WARNING, **fields):
    """Log a security event (one JSON line, ``event`` named) and count it for /metrics."""
    SECURITY_EVENTS.labels(event).inc()
    if request is not None:
        fields.setdefault("request_id", getattr(request, "id", ""))
        fields.setdefault("address", get_client_ip_address(request) or "")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields.setdefault("user", user.get_username())
    security_log.log(level, event.replace("_", " "), extra={"event": event, **fields})


def on_login_failed(sender, credentials, request=None, **kwargs):
    security_event("login_failed", request, username=credentials.get("username", ""))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event("lockout", request, username=username or "", locked_address=ip_address or "")


class PlantCollector:
    """The plant's gauges, asked of the database at each scrape (a handful of indexed counts)."""

    def collect(self):
        try:
            yield from self._gauges()
        except DatabaseError:
            return  # the scrape still gets the process's own metrics; /readyz says why

    def _gauges(self):
        from logbook.core.models import JobRun
        from logbook.downtime.models import DowntimeIncident
        from logbook.maintenance.models import WorkOrder
        from logbook.maintenance.selectors import overdue
        from logbook.shifts.models import Shift
        from logbook.telemetry.models import Gateway, RejectedSignal
        from logbook.workrequests.choices import RequestStatus
        from logbook.workrequests.models import WorkRequest

        now = timezone.now()
        site = "equipment__line__area__site__code"
        counts = [
            (
                "logbook_open_incidents",
                "Machines down now: incidents not ended.",
                DowntimeIncident.objects.current().filter(ended_at__isnull=True),
                site,
            ),
            (
                "logbook_unclassified_incidents",
                "Incidents ended but not classified and closed.",
                DowntimeIncident.objects.current().filter(
                    ended_at__isnull=False, closed_at__isnull=True
                ),
                site,
            ),
            (
                "logbook_overdue_work_orders",
                "Active work orders past their due day and tolerance (PM and corrective).",
                overdue(WorkOrder.objects.all(), now=now),
                site,
            ),
            (
                "logbook_overdue_pm_work_orders",
                "Preventive work orders past their due day and tolerance.",
                overdue(WorkOrder.objects.filter(kind="preventive"), now=now),
                site,
            ),
            (
                "logbook_work_orders_waiting_verification",
                "Work done, waiting for a supervisor's verification.",
                WorkOrder.objects.filter(status="done"),
                site,
            ),
            (
                "logbook_shifts_waiting_signoff",
                "Shifts handed over, not signed off yet.",
                Shift.objects.filter(signature__isnull=True, handover__isnull=False),
                "line__area__site__code",
            ),
            (
                "logbook_work_requests_waiting",
                "Work requests waiting for a planner's answer.",
                WorkRequest.objects.filter(status=RequestStatus.OPEN),
                site,
            ),
        ]
        for name, help_text, queryset, site_field in counts:
            gauge = GaugeMetricFamily(name, help_text, labels=["site"])
            rows = queryset.order_by().values(site_field).annotate(n=Count("pk"))
            for row in rows:
                gauge.add_metric([row[site_field]], row["n"])
            yield gauge

        silent = GaugeMetricFamily(
            "logbook_signal_ingest_lag_seconds",
            "Seconds since each active gateway last posted a signal.",
            labels=["site", "gateway"],
        )
        gateways = Gateway.objects.filter(active=True, last_seen_at__isnull=False)
        for code, name, seen in gateways.values_list("site__code", "name", "last_seen_at"):
            silent.add_metric([code, name], (now - seen).total_seconds())
        yield silent
        rejected = GaugeMetricFamily(
            "logbook_rejected_signals_last_day",
            "Machine signals refused in the last 24 hours.",
            value=RejectedSignal.objects.filter(
                received_at__gte=now - datetime.timedelta(days=1)
            ).count(),
        )
        yield rejected

        last_ok = GaugeMetricFamily(
            "logbook_job_last_success_timestamp_seconds",
            "When each scheduled job last finished well (Unix time): backup, digest, PM work "
            "orders, signal pruning, directory sync.",
            labels=["job"],
        )
        failed = GaugeMetricFamily(
            "logbook_job_last_run_failed",
            "1 when the job's latest run failed.",
            labels=["job"],
        )
        runs = JobRun.objects.values("job").annotate(
            last_ok=Max("finished_at", filter=Q(ok=True)), last=Max("finished_at")
        )
        latest_failed = set(
            JobRun.objects.filter(ok=False)
            .values_list("job", "finished_at")
            .order_by()
            .filter(finished_at__in=[row["last"] for row in runs])
        )
        for row in runs:
            if row["last_ok"] is not None:
                last_ok.add_metric([row["job"]], row["last_ok"].timestamp())
            failed.add_metric([row["job"]], 1 if (row["job"], row["last"]) in latest_failed else 0)
        yield last_ok
        yield failed


def metrics_text() -> tuple[bytes, str]:
    """The text /metrics answers, and its content type. Under gunicorn with several workers,
    set PROMETHEUS_MULTIPROC_DIR so the counters of all workers are added up."""
    from prometheus_client import CONTENT_TYPE_LATEST, multiprocess

    registry = CollectorRegistry(auto_describe=False)  # the plant's gauges asked once a scrape
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, DATABASE_ERRORS, SECURITY_EVENTS):
            registry.register(collector)
    registry.register(PlantCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
