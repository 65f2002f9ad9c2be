"""Reads for maintenance: meter rates, due dates, the planner's lists, a technician's work."""

import datetime
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from logbook.core.db import time_plus
from logbook.equipment.models import MeterReading
from logbook.maintenance import schedule as due
from logbook.maintenance.choices import (
    ACTIVE_STATUSES,
    IntervalUnit,
    WorkOrderKind,
    WorkOrderStatus,
)
from logbook.maintenance.models import IsolationPoint, MaintenanceSchedule, SparePart, WorkOrder

RATE_WINDOW_DAYS = 30


def meter_rate(meter, today: datetime.date) -> tuple[Decimal | None, Decimal | None]:
    """(current value, units per day over the last 30 days), None where unknown."""
    readings = MeterReading.objects.filter(meter=meter).order_by("-taken_at")
    last = readings.first()
    if last is None:
        return None, None
    since = last.taken_at - datetime.timedelta(days=RATE_WINDOW_DAYS)
    first = readings.filter(taken_at__gte=since).order_by("taken_at").first()
    days = Decimal((last.taken_at - first.taken_at).total_seconds()) / Decimal(86400)
    if days <= 0 or meter.resets:
        return last.value, None
    return last.value, (last.value - first.value) / days


def _meter_base(schedule) -> Decimal:
    """The meter value a never-done meter schedule counts from: its reading at the anchor."""
    if schedule.last_done_value is not None:
        return schedule.last_done_value
    readings = MeterReading.objects.filter(meter=schedule.meter)
    zone = schedule.equipment.line.area.site.zone
    anchor = datetime.datetime.combine(
        schedule.anchor_date + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    at_anchor = readings.filter(taken_at__lt=anchor).order_by("-taken_at").first()
    first = at_anchor or readings.order_by("taken_at").first()
    return first.value if first else Decimal(0)


def compute_next_due(schedule: MaintenanceSchedule, today: datetime.date | None = None):
    """The schedule's next due date (local), or None for a meter that gives no projection."""
    zone = schedule.equipment.line.area.site.zone
    today = today or timezone.localdate(timezone=zone)
    last = (
        WorkOrder.objects.filter(schedule=schedule, kind=WorkOrderKind.PREVENTIVE)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .order_by("-due_at")
        .first()
    )
    last_due = timezone.localtime(last.due_at, zone).date() if last is not None else None
    if last is not None and last.status in ACTIVE_STATUSES:
        # An order still to do stands for the next due date.
        return last_due
    if schedule.interval_unit == IntervalUnit.METER:
        current, rate = meter_rate(schedule.meter, today)
        if current is None:
            return None
        projected = due.next_meter_due(
            interval=schedule.interval,
            last_done_value=_meter_base(schedule),
            current_value=current,
            rate_per_day=rate,
            today=today,
        )
        # Never the day of an order already made: each due date is one occurrence.
        if projected is not None and last_due is not None and projected <= last_due:
            projected = last_due + datetime.timedelta(days=1)
        return projected
    return due.next_calendar_due(
        interval=int(schedule.interval),
        unit=schedule.interval_unit,
        anchor=schedule.anchor,
        anchor_date=schedule.anchor_date,
        last_done=schedule.last_done_on,
        last_due=last_due,
    )


# The active orders, soonest first. The due date is sorted as an expression on purpose: ordered
# by the bare column, the planner walks the due-date index from the oldest order of five years
# through the closed history to find the active few (SQLite's statistics average the statuses,
# so "open or in progress" looks like half the table). As an expression, the status index picks
# the active orders out and only they are sorted (bench, 40,000 orders: 30 -> 3 ms a list).
SOONEST_ACTIVE = (Coalesce("due_at", "due_at").asc(), "-priority", "pk")


def work_order_joins(queryset=None):
    queryset = WorkOrder.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "equipment__line__area__site", "schedule", "assigned_to", "signature"
    )


def my_work_halves(user) -> list:
    """My work as two disjoint querysets, each read off the (assigned_to, status) index: the
    active orders assigned to the user, and the unassigned ones on their home line.

    "Assigned to me, or unassigned on my line" in one condition spans two tables, so no index
    answers it and the database walks every order of five years through its machine. Apart,
    each half is a person's or a line's active work, a few dozen orders; counted apart, they
    add up to ``my_work(user).count()``."""
    active = WorkOrder.objects.for_user(user).active().order_by()
    halves = [active.filter(assigned_to=user)]
    if user.home_line_id:
        halves.append(active.filter(assigned_to__isnull=True, equipment__line_id=user.home_line_id))
    return halves


def mine(user) -> Q:
    """Work orders that are the user's to do, still active: the orders of both halves of
    ``my_work_halves``, found first (one query each) and named by id."""
    return Q(
        pk__in=[pk for half in my_work_halves(user) for pk in half.values_list("pk", flat=True)]
    )


def my_work(user):
    """Active work orders assigned to the user, or unassigned on their home line; soonest first."""
    return (
        work_order_joins(WorkOrder.objects.for_user(user))
        .active()
        .filter(mine(user))
        .order_by("due_at", "-priority", "pk")
    )


def due_within(user, days: int, today: datetime.date):
    """Active work orders due up to ``days`` ahead, overdue ones included."""
    horizon = datetime.datetime.combine(
        today + datetime.timedelta(days=days + 1), datetime.time(0), tzinfo=datetime.UTC
    )
    return (
        work_order_joins(WorkOrder.objects.for_user(user))
        .active()
        .filter(due_at__lt=horizon)
        .order_by(*SOONEST_ACTIVE)
    )


def parts_to_reorder():
    return SparePart.objects.filter(stock__lte=F("reorder_point")).order_by("part_number")


def overdue(queryset, now=None):
    """Active orders past their due day and its tolerance: ``due_at + (tolerance + 1) days`` is
    past. The plain bound ``due_at < now - 1 day`` (true of every late order, whatever its
    tolerance) lets the (status, due) index find the candidates; the sum then decides. One
    condition, without first asking which tolerances are in use (a query more on every home
    page: 1.1 ms on PostgreSQL at five years, through 1,134 active orders)."""
    now = now or timezone.now()
    day = datetime.timedelta(days=1)
    return (
        queryset.active()
        .filter(due_at__lt=now - day)
        .alias(late_at=time_plus("due_at", F("tolerance_days") + 1, day))
        .filter(late_at__lt=now)
    )


def active_lockouts(*, equipment=None, queryset=None):
    """The locks on right now (put on, not yet removed), with their work order, machine and who
    put them on: work order by work order (so machine by machine), in the order they went on.
    The partial index on the locks still on gives that order, however many were ever removed."""
    points = IsolationPoint.objects.all() if queryset is None else queryset
    if equipment is not None:
        points = points.filter(work_order__equipment=equipment)
    return (
        points.filter(removed_at__isnull=True)
        .select_related("applied_by", "work_order__equipment__line")
        .order_by("work_order_id", "applied_at", "pk")
    )


def locked_out(equipment="equipment"):
    """An annotation: the row's machine (``equipment`` names it, "pk" for a machine's own
    rows) has a lock on right now."""
    return Exists(
        IsolationPoint.objects.filter(
            work_order__equipment=OuterRef(equipment), removed_at__isnull=True
        )
    )
