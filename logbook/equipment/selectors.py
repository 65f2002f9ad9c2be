"""Reads on the equipment register reused by pages and the API."""

from collections import Counter

from django.core.exceptions import EmptyResultSet
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery

from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.models import Equipment, Line, Meter, MeterReading, StatusCount


def meters_with_last_reading(queryset: QuerySet[Meter] | None = None) -> QuerySet[Meter]:
    """Annotate each meter with ``last_value`` and ``last_taken_at`` (None if never read).

    Two correlated subqueries in the same SELECT: one query for any number of meters.
    """
    queryset = Meter.objects.all() if queryset is None else queryset
    last = MeterReading.objects.filter(meter=OuterRef("pk")).order_by("-taken_at", "-pk")
    return queryset.annotate(
        last_value=Subquery(
            last.values("value")[:1], output_field=DecimalField(max_digits=14, decimal_places=2)
        ),
        last_taken_at=Subquery(last.values("taken_at")[:1]),
    )


def equipment_status_counts(user) -> dict[str, int]:
    """Return {status: number of equipment} over the user's sites.

    Equipment stopped by an open incident (its own or, up to three levels up, a machine it is
    part of: ``down_now()``) counts as down. One statement: the machines by recorded status,
    from the counts the database keeps per line and status (``StatusCount``: a site's few
    hundred rows, not its 20,000 machines), and the statuses of the few machines stopped now, to
    be moved to "down".
    """
    from logbook.core.routing import reading_connection
    from logbook.downtime.selectors import STOPPED_NOW

    try:  # the user's lines, as every page scopes them
        lines, params = Line.objects.for_user(user).values("pk").query.sql_with_params()
    except EmptyResultSet:  # no site at all
        return {}
    statement = f"""
        SELECT 0, status, n FROM {StatusCount._meta.db_table} WHERE line_id IN ({lines})
        UNION ALL
        SELECT 1, status, COUNT(*) FROM equipment_equipment
        WHERE id IN ({STOPPED_NOW}) AND status <> %s AND line_id IN ({lines})
        GROUP BY status
    """
    counts = Counter()
    with reading_connection().cursor() as cursor:
        cursor.execute(statement, [*params, EquipmentStatus.DOWN.value, *params])
        for stopped, status, n in cursor.fetchall():
            if stopped:
                counts[status] -= n
                counts[EquipmentStatus.DOWN] += n
            else:
                counts[status] += n
    return {status: n for status, n in counts.items() if n}


def machines_to_pick(line) -> list[Equipment]:
    """The line's machines in the order a technician looks for them: each machine by asset tag,
    its components right under it (``depth`` 1, 2… says how far down). One query."""
    if line is None:
        return []
    machines = list(
        line.equipment.exclude(status=EquipmentStatus.DECOMMISSIONED).only(
            "pk", "asset_tag", "name", "parent_id", "status", "line_id"
        )
    )
    children: dict[int | None, list[Equipment]] = {}
    known = {machine.pk for machine in machines}
    for machine in sorted(machines, key=lambda m: m.asset_tag):
        # A component whose parent sits on another line is a top-level machine here.
        parent = machine.parent_id if machine.parent_id in known else None
        children.setdefault(parent, []).append(machine)
    ordered: list[Equipment] = []

    def walk(parent, depth):
        for machine in children.get(parent, []):
            machine.depth = depth
            ordered.append(machine)
            walk(machine.pk, depth + 1)

    walk(None, 0)
    return ordered
