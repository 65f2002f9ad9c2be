"""Reads about downtime: what is down now (components with their machine), incidents per shift."""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from logbook.downtime.models import DowntimeIncident
from logbook.equipment.choices import EquipmentStatus

# A component is down while any machine it is part of is down; four levels cover real plants.
ANCESTRY = ("pk", "parent_id", "parent__parent_id", "parent__parent__parent_id")


# The machines stopped now: those with an open incident and, down the parent index, their
# components to the fourth level. SQL both databases run, in a subquery or on its own.
STOPPED_NOW = f"""
    WITH RECURSIVE stopped (id, depth) AS (
        SELECT equipment_id, 0 FROM downtime_downtimeincident WHERE ended_at IS NULL
        UNION
        SELECT e.id, s.depth + 1 FROM equipment_equipment e JOIN stopped s ON e.parent_id = s.id
        WHERE s.depth < {len(ANCESTRY) - 1}
    )
    SELECT id FROM stopped"""


class _StoppedNow(Func):
    """``machine IN (the machines stopped now)``: a condition for filter(), Q() and When()."""

    template = f"%(expressions)s IN ({STOPPED_NOW})"
    output_field = BooleanField()


def down_now() -> Q:
    """Equipment stopped now: by an open incident of its own or of a machine it is part of.

    One uncorrelated subquery, read once per query: the machines with an open incident (a few
    dozen among years of incidents), then their parts, their parts' parts… found through the
    parent index by a recursive query. Not a subquery per machine (counting 20,000 machines by
    status took one each, 2.3 times slower on PostgreSQL than on SQLite), nor one condition per
    level joined by OR, which SQLite checks against every machine in turn; and written out, not
    built by the ORM level by level (its making, a union of four querysets, cost 2 ms of Python
    on every list of machines, and PostgreSQL 0.6 ms more to plan).
    """
    return Q(_StoppedNow(F("pk")))


def with_downtime(equipment_qs):
    """Annotate ``down_since`` (the start of the open incident stopping it, or None) and
    ``effective_status`` (down while such an incident is open, else the recorded status).

    ``down_since`` is worked out for the rows shown; ``effective_status``, which lists filter
    and count by, from ``down_now()``."""
    open_incidents = DowntimeIncident.objects.filter(ended_at__isnull=True)
    condition = Q()
    for path in ANCESTRY:
        condition |= Q(equipment_id=OuterRef(path))
    down_since = Subquery(
        open_incidents.filter(condition).order_by("started_at").values("started_at")[:1],
        output_field=DateTimeField(),
    )
    return equipment_qs.annotate(down_since=down_since).annotate(
        effective_status=Case(
            When(down_now(), then=Value(EquipmentStatus.DOWN)),
            default=F("status"),
            output_field=CharField(),
        )
    )


def open_incidents_for(user, **filters):
    """Ongoing incidents of the user's sites, longest first, ready for a list with durations."""
    return (
        DowntimeIncident.objects.for_user(user)
        .open()
        .filter(**filters)
        .select_related("equipment__line__area__site", "reason")
        .order_by("started_at")
    )


# Stops and silent machines shown at once in "Down now" (home, a line's page, the live list).
DOWN_NOW_SHOWN = 12


def down_now_panel(user, line_id: int | None = None) -> dict:
    """What "Down now" shows the user (of one line, or of all the user's sites): the longest
    stops first and the machines gone silent, at most ``DOWN_NOW_SHOWN`` of each, and how many
    more there are (``ongoing_more``, ``silent_more``): the rest are a link away.

    A company of a hundred lines has dozens of stops open at any moment; the home page listed
    every one. The stops and their number come in one query (``COUNT(*) OVER ()``)."""
    from logbook.telemetry.selectors import silent_machines

    on_line = {} if line_id is None else {"line_id": line_id}
    incidents = open_incidents_for(user)
    if line_id is not None:
        incidents = incidents.filter(equipment__line_id=line_id)
    ongoing = list(incidents.annotate(of=Window(Count("pk")))[:DOWN_NOW_SHOWN])
    silent, silent_count = silent_machines(user, shown=DOWN_NOW_SHOWN, **on_line)
    return {
        "ongoing": ongoing,
        "ongoing_more": ongoing[0].of - len(ongoing) if ongoing else 0,
        "silent": silent,
        "silent_more": silent_count - len(silent),
        "live_line": line_id if line_id is not None else "",
    }


def shift_downtime(shift):
    """The line's incidents that overlap the shift, each with its minutes inside the shift.

    An incident across a shift change is split at the boundary: each shift counts its own part.
    """
    now = timezone.now()
    end = Least(Coalesce(F("ended_at"), Value(now)), Value(shift.ends_at))
    start = Greatest(F("started_at"), Value(shift.starts_at))
    incidents = list(
        DowntimeIncident.objects.current()
        .filter(equipment__line_id=shift.line_id)
        .overlapping(shift.starts_at, shift.ends_at)
        .select_related("equipment", "reason")
        .annotate(in_shift=end - start)
        .order_by("started_at")
    )
    for incident in incidents:
        incident.minutes_in_shift = int(incident.in_shift.total_seconds() // 60)
    return incidents


def total_minutes_text(incidents) -> str:
    """ "1,234 min down": the downtime of ``incidents`` in whole minutes, summed in the database
    (an open stop counts up to now)."""
    total = incidents.order_by().aggregate(
        down=Sum(
            ExpressionWrapper(
                Coalesce("ended_at", Value(timezone.now())) - F("started_at"),
                output_field=DurationField(),
            )
        )
    )["down"]
    minutes = round(total.total_seconds() / 60) if total else 0
    return _("%(minutes)s min down") % {"minutes": number_format(minutes, force_grouping=True)}
