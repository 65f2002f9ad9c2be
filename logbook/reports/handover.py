"""The handover, compiled from the records: what the next shift must know, never typed twice.

For a shift of a line: its OEE and counts, its downtime (still ongoing, and what ended), work
orders done and still open, inspections and nonconformances, preventive work due before the next
shift ends, lockouts still applied, and the line's open items. Each is one item with a link to
its record; the outgoing technician adds only what the records cannot say, and the incoming one
answers each item. A fixed number of queries, whatever the shift held.
"""

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logbook.core.numbers import local_number, local_percent
from logbook.downtime.models import DowntimeIncident
from logbook.maintenance.choices import ACTIVE_STATUSES
from logbook.maintenance.models import IsolationPoint, WorkOrder
from logbook.quality.models import Inspection, Nonconformance
from logbook.reports.oee import oee
from logbook.shifts.models import HandoverTopic, OpenItem, Shift

MAX_LISTED = 5  # at most this many records of one kind are named one by one


def _pct(value) -> str:
    return local_percent(value)


def _local(moment, zone, fmt="H:i") -> str:
    return date_format(timezone.localtime(moment, zone), fmt)


def compile_handover(shift: Shift, now=None) -> list[dict]:
    """The items the records say about ``shift``, as dicts of ``topic``, ``text``, ``url``
    (and ``open_item`` for the line's open items), in the order a technician reads them."""
    now = now or timezone.now()
    line, zone = shift.line, shift.line.area.site.zone
    end = min(shift.ends_at, now)
    items = []

    def add(topic, text, url="", **extra):
        items.append({"topic": topic, "text": text, "url": url, **extra})

    # Production.
    figures = oee(line=line, start=shift.starts_at, end=shift.ends_at, now=now)
    if figures["production_records"]:
        add(
            HandoverTopic.PRODUCTION,
            _(
                "OEE %(oee)s (availability %(a)s, performance %(p)s, quality %(q)s); "
                "%(made)s made, %(good)s good."
            )
            % {
                "oee": _pct(figures["oee"]),
                "a": _pct(figures["availability"]),
                "p": _pct(figures["performance"]),
                "q": _pct(figures["quality"]),
                "made": local_number(figures["produced"]),
                "good": local_number(figures["good"]),
            },
            f"{shift.get_absolute_url()}#production",
        )
    else:
        add(
            HandoverTopic.PRODUCTION,
            _("No production counts recorded for this shift."),
            f"{shift.get_absolute_url()}#production",
        )

    # Downtime: what is still down, and what ended during the shift.
    incidents = (
        DowntimeIncident.objects.current()
        .filter(equipment__line=line)
        .overlapping(shift.starts_at, end)
        .select_related("equipment", "reason")
        .order_by("started_at", "pk")
    )
    # Every machine still down is named; the stops that ended are summed by the database.
    for incident in incidents.filter(ended_at__isnull=True):
        add(
            HandoverTopic.DOWNTIME,
            _("%(tag)s is still down since %(since)s: %(why)s.")
            % {
                "tag": incident.equipment.asset_tag,
                "since": _local(incident.started_at, zone, "Y-m-d H:i"),
                "why": incident.reason.name if incident.reason else _("not classified yet"),
            },
            incident.get_absolute_url(),
        )
    ended = incidents.filter(ended_at__isnull=False).aggregate(
        n=Count("pk"),
        lasted=Sum(F("ended_at") - F("started_at")),
        unclassified=Count("pk", filter=Q(reason__isnull=True)),
    )
    if ended["n"]:
        minutes = round(ended["lasted"].total_seconds() / 60)
        text = ngettext(
            "%(n)s stop ended, %(m)s min in all.",
            "%(n)s stops ended, %(m)s min in all.",
            ended["n"],
        ) % {"n": ended["n"], "m": minutes}
        if ended["unclassified"]:
            text += " " + ngettext(
                "%(n)s not classified yet.", "%(n)s not classified yet.", ended["unclassified"]
            ) % {"n": ended["unclassified"]}
        add(
            HandoverTopic.DOWNTIME,
            text,
            f"{reverse('downtime:incident_list')}?line_id={line.pk}"
            f"&down_from={timezone.localtime(shift.starts_at, zone).date()}"
            f"&down_to={timezone.localtime(end, zone).date()}",
        )

    # Work orders done in the shift, and what stays open on the line.
    orders = WorkOrder.objects.filter(equipment__line=line).select_related("equipment")
    done = list(
        orders.filter(completed_at__gte=shift.starts_at, completed_at__lt=end).order_by(
            "completed_at"
        )[: MAX_LISTED + 1]
    )
    for order in done[:MAX_LISTED]:
        add(
            HandoverTopic.WORK,
            _("Done: %(number)s %(title)s (%(tag)s).")
            % {"number": order.number, "title": order.title, "tag": order.equipment.asset_tag},
            order.get_absolute_url(),
        )
    open_work = orders.filter(status__in=ACTIVE_STATUSES).aggregate(
        n=Count("pk"), corrective=Count("pk", filter=Q(kind="corrective"))
    )
    if open_work["n"]:
        add(
            HandoverTopic.WORK,
            ngettext(
                "Open work on the line: %(n)s order, %(c)s of them corrective.",
                "Open work on the line: %(n)s orders, %(c)s of them corrective.",
                open_work["n"],
            )
            % {"n": open_work["n"], "c": open_work["corrective"]},
            f"{reverse('maintenance:workorder_list')}?line_id={line.pk}&show=active",
        )

    # PM due before the next shift ends, and lockouts still applied.
    next_end = shift.ends_at + (shift.ends_at - shift.starts_at)
    due = orders.filter(
        kind="preventive", status__in=ACTIVE_STATUSES, due_at__lt=next_end
    ).order_by("due_at")[:MAX_LISTED]
    for order in due:
        add(
            HandoverTopic.PM_DUE,
            _("PM due %(due)s: %(number)s %(title)s (%(tag)s).")
            % {
                "due": _local(order.due_at, zone, "Y-m-d"),
                "number": order.number,
                "title": order.title,
                "tag": order.equipment.asset_tag,
            },
            order.get_absolute_url(),
        )
    locked = orders.filter(
        Exists(IsolationPoint.objects.filter(work_order=OuterRef("pk"), removed_at__isnull=True))
    ).order_by("lockout_confirmed_at")[:MAX_LISTED]
    for order in locked:
        add(
            HandoverTopic.LOCKOUT,
            _("%(tag)s is locked out for %(number)s %(title)s since %(since)s.")
            % {
                "tag": order.equipment.asset_tag,
                "number": order.number,
                "title": order.title,
                "since": _local(order.lockout_confirmed_at, zone, "Y-m-d H:i"),
            },
            order.get_absolute_url(),
        )

    # Quality.
    checks = Inspection.objects.filter(
        line=line, inspected_at__gte=shift.starts_at, inspected_at__lt=end
    ).aggregate(n=Count("pk"), failed=Count("pk", filter=Q(verdict="fail")))
    if checks["n"]:
        add(
            HandoverTopic.QUALITY,
            ngettext(
                "%(n)s inspection, %(f)s failed.", "%(n)s inspections, %(f)s failed.", checks["n"]
            )
            % {"n": checks["n"], "f": checks["failed"]},
            f"{reverse('quality:inspection_list')}?line_id={line.pk}&shift_id={shift.pk}",
        )
    for nc in (
        Nonconformance.objects.filter(line=line)
        .exclude(status="closed")
        .order_by("pk")[:MAX_LISTED]
    ):
        add(
            HandoverTopic.QUALITY,
            _("Nonconformance open: %(title)s (%(status)s).")
            % {"title": nc.title, "status": nc.get_status_display()},
            nc.get_absolute_url(),
        )

    # The line's open items follow it until someone closes them.
    for item in OpenItem.objects.filter(line=line, closed_at__isnull=True).order_by(
        "created_at", "pk"
    ):
        add(HandoverTopic.OPEN_ITEM, item.text, shift.get_absolute_url(), open_item=item)
    return items
