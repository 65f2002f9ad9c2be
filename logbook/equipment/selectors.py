"""Reads on the equipment register reused by pages and the API."""

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery

from logbook.equipment.models import Equipment, Meter, MeterReading


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
    """Return {status: number of equipment} over the user's sites, in one aggregate query.

    Equipment stopped by an open incident (its own or its machine's) counts as down.
    """
    from logbook.downtime.selectors import with_downtime

    rows = (
        with_downtime(Equipment.objects.for_user(user))
        .values("effective_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["effective_status"]: row["n"] for row in rows}
