"""The daily digest: yesterday's figures per line and what needs attention, e-mailed once a day to
each supervisor for their sites, with a record-quality score per shift.

**Record-quality score** of a shift (0–100) says where the log itself is weak, not the line:
100 − 10 per stop that began in the shift and is still not classified − 5 per entry written
after the shift ended − 5 per amended entry or count, never below 0. Each part is shown beside
the score.

Idempotent: a ``DigestDelivery`` row (unique per person and day) is claimed in the same
transaction that sends the mail; a second run, or a second server at the same moment, finds the
claim and sends nothing, and a failed send releases it for the next run.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logbook.accounts.models import User
from logbook.core.roles import Role
from logbook.equipment.models import Line, Site
from logbook.reports import dashboard
from logbook.reports.downtime import pareto
from logbook.reports.maintenance import pm_compliance
from logbook.reports.models import DigestDelivery
from logbook.reports.oee import oee
from logbook.reports.quality import first_pass_yield
from logbook.shifts.models import Shift

logger = logging.getLogger(__name__)


def _day_window(site: Site, day: datetime.date):
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=site.zone)
    following = day + datetime.timedelta(days=1)
    return start, datetime.datetime.combine(following, datetime.time(0), tzinfo=site.zone)


def record_quality(site: Site, start, end) -> list[dict]:
    """Each shift of the site that began in [start, end), with its record-quality score. Two
    queries: the entries and counts of each shift, and the stops that began in it."""
    shifts = (
        Shift.objects.filter(line__area__site=site, starts_at__gte=start, starts_at__lt=end)
        .select_related("line", "pattern")
        .annotate(
            late_entries=Count(
                "entries", filter=Q(entries__created_at__gt=F("ends_at")), distinct=True
            ),
            amended_entries=Count(
                "entries", filter=Q(entries__amends__isnull=False), distinct=True
            ),
            amended_counts=Count(
                "production", filter=Q(production__amends__isnull=False), distinct=True
            ),
        )
        .order_by("line__code", "starts_at")
    )
    stops = "line__equipment__downtime_incidents"
    unclassified = dict(
        Shift.objects.filter(line__area__site=site, starts_at__gte=start, starts_at__lt=end)
        .annotate(
            n=Count(
                stops,
                filter=Q(
                    **{
                        f"{stops}__reason__isnull": True,
                        f"{stops}__started_at__gte": F("starts_at"),
                        f"{stops}__started_at__lt": F("ends_at"),
                    }
                ),
                distinct=True,
            )
        )
        .values_list("pk", "n")
    )
    rows = []
    for shift in shifts:
        open_stops = unclassified.get(shift.pk, 0)
        amended = shift.amended_entries + shift.amended_counts
        rows.append(
            {
                "shift": shift,
                "unclassified": open_stops,
                "late_entries": shift.late_entries,
                "amendments": amended,
                "score": max(0, 100 - 10 * open_stops - 5 * shift.late_entries - 5 * amended),
            }
        )
    return rows


def line_figures(line: Line, start, end, now) -> dict:
    figures = oee(line=line, start=start, end=end, now=now)
    reasons = pareto(line=line, start=start, end=end, by="reason", now=now)
    return {
        "line": line,
        "oee": figures,
        "top_reasons": reasons[:3],
        "failures": sum(row["count"] for row in reasons),
        "pm": pm_compliance(line=line, start=start, end=end, now=now),
        "fpy": first_pass_yield(line=line, start=start, end=end, now=now),
    }


def digest_context(user: User, day: datetime.date, now=None) -> dict:
    """Everything one person's digest says about ``day``, for their sites."""
    now = now or timezone.now()
    sites = Site.objects.order_by("code") if user.sees_all_sites else user.sites.order_by("code")
    blocks = []
    for site in sites:
        start, end = _day_window(site, day)
        lines = Line.objects.filter(area__site=site).select_related("area__site").order_by("code")
        links = dashboard.Links({"site": site}, site, start, end)
        with timezone.override(site.zone):
            attention = dashboard.needs_attention(user, {"site": site}, links)
        blocks.append(
            {
                "site": site,
                "lines": [line_figures(line, start, end, now) for line in lines],
                "attention": [
                    {**item, "url": settings.SITE_URL + item["url"]} for item in attention
                ],
                "shifts": record_quality(site, start, end),
                "dashboard_url": settings.SITE_URL
                + dashboard._query(
                    "reports:dashboard",
                    scope=f"site-{site.pk}",
                    period="custom",
                    period_from=day,
                    period_to=day,
                ),
            }
        )
    return {"user": user, "day": day, "sites": blocks, "site_url": settings.SITE_URL}


def recipients():
    """Active supervisors with an address who have not opted out."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR, daily_digest=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def send_digests(day: datetime.date | None = None, now=None) -> dict:
    """Send ``day``'s digest (yesterday's by default) to each recipient who has not had it."""
    now = now or timezone.now()
    day = day or (timezone.localdate(now) - datetime.timedelta(days=1))
    sent = skipped = failed = 0
    for user in recipients():
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(user=user, day=day)
                _send(user, day, now)
            sent += 1
        except IntegrityError:
            skipped += 1  # already sent, by an earlier run or another server
        except Exception:  # a mail server down must not stop the others' digests
            logger.exception("Daily digest for %s on %s failed", user.username, day)
            failed += 1
    return {"sent": sent, "skipped": skipped, "failed": failed, "day": day}


def _send(user, day, now):
    # In the person's language (their profile's; the plant's default otherwise).
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = digest_context(user, day, now)
        subject = _("Plant Logbook — %(day)s") % {"day": day.isoformat()}
        text = render_to_string("reports/digest.txt", context)
        html = render_to_string("reports/digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
