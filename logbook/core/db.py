import re

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    CharField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Lookup,
    Value,
)

_CODE = re.compile(r"[A-Za-z0-9_]+")


def refresh_statistics() -> None:
    """Have the database re-read its tables' sizes after a bulk load (ANALYZE).

    Without fresh statistics SQLite plans a newest-first page of 240,000 incidents as a sort of
    all of them (0.3 s instead of 0.01 s, measured in bench/). PostgreSQL's autovacuum would get
    there too, later.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_plus(moment: str, count, unit) -> ExpressionWrapper:
    """The time in field ``moment`` plus ``count`` (a field name or an integer expression)
    times the ``unit`` duration, computed by the database: "due time + (tolerance + 1) days",
    "last signal + heartbeat seconds". On SQLite a duration multiplies only what Django calls an
    IntegerField (a PositiveIntegerField column is refused), hence the count's own wrapper."""
    count = F(count) if isinstance(count, str) else count
    steps = ExpressionWrapper(count, output_field=IntegerField())
    span = ExpressionWrapper(steps * Value(unit), output_field=DurationField())
    return ExpressionWrapper(F(moment) + span, output_field=DateTimeField())


def count_each(*, up_to: int | None = None, **querysets) -> dict[str, int]:
    """Count several querysets in one round trip: ``SELECT (SELECT COUNT(*) FROM (…)), …``.

    A home page shows half a dozen counts; asked one by one they cost a round trip each, which
    on PostgreSQL over a socket is most of their time. Each count is the queryset's own query
    (its indexes, its site scope), only sent together. All of them must read the same database.
    ``up_to``: count no further than that many rows (each count then reads at most as many).
    """
    if not querysets:
        return {}
    selects, params, databases = [], [], set()
    for queryset in querysets.values():
        queryset = queryset.order_by().values("pk")[:up_to]
        databases.add(queryset.db)
        try:
            sql, query_params = queryset.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # a condition that nothing meets, e.g. "id IN ()"
            selects.append("0")
            continue
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(query_params)
    if len(databases) != 1:
        raise ValueError("count_each counts on one database at a time")
    with connections[databases.pop()].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


class InWritten(Lookup):
    """``field__in_written=codes``: ``IN`` with the codes written into the SQL, not bound.

    SQLite uses a partial index (``… WHERE status IN ('open', 'in_progress', 'done')``) only
    when it can see in the statement that the query asks for the same rows; with the codes
    bound as parameters it cannot, and walks the table's full index instead (the open work
    orders among five years of verified ones: 100 ms instead of 1). For fixed codes from the
    code (a model's choices), never for what a user typed: anything but a plain code is refused.
    """

    lookup_name = "in_written"
    prepare_rhs = False

    def get_prep_lookup(self):
        codes = tuple(str(code) for code in self.rhs)
        if not codes or not all(_CODE.fullmatch(code) for code in codes):
            raise ValueError(f"in_written takes plain codes only, not {self.rhs!r}")
        return codes

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        written = ", ".join(f"'{code}'" for code in self.rhs)
        return f"{lhs} IN ({written})", params


CharField.register_lookup(InWritten)
