"""SQL pieces shared by the report queries, for SQLite and PostgreSQL alike.

Report queries work in epoch seconds (floats): both databases can subtract and clip them, and
the difference of two instants is elapsed time whatever the zone (DST days are 23 or 25 hours).
"""

import datetime

from logbook.core.routing import reading_connection


def dialect():
    """(epoch-of-column, greatest, least) for this database."""
    if reading_connection().vendor == "postgresql":
        return (lambda col: f"EXTRACT(EPOCH FROM {col})", "GREATEST", "LEAST")
    # SQLite keeps UTC datetimes as text; julianday() reads them, the epoch is day 2440587.5.
    return (lambda col: f"((julianday({col}) - 2440587.5) * 86400.0)", "MAX", "MIN")


def epoch(moment: datetime.datetime) -> float:
    return moment.timestamp()


def adapt(moment: datetime.datetime):
    """A datetime as the database compares it with a stored column."""
    return reading_connection().ops.adapt_datetimefield_value(moment)


# The longest a shift may last (two days): stops meet the shifts they overlap through the shift
# table's (line, start) index, looking back no further than this from the stop's start.
LONGEST_SHIFT_DAYS = 2


def days_before(column: str, days: int) -> str:
    """The stored time ``column`` less ``days`` days, comparable with other stored times."""
    if reading_connection().vendor == "postgresql":
        return f"({column} - INTERVAL '{int(days)} days')"
    # SQLite stores UTC times as text; datetime() gives the same form without the fraction,
    # which sorts at or before the full one: a bound a fraction of a second looser.
    return f"datetime({column}, '-{int(days)} days')"


def join_shifts_overlapping(alias: str, incident: str) -> str:
    """A join of the shifts ``alias`` (its columns ``id``, ``pattern_id``, ``starts_at`` and
    ``ends_at``) that a stop overlaps, whose ``{incident}.line_id``, ``{incident}.t_start`` and
    ``{incident}.t_end`` are its line and stored start and end. Read off the (line, start)
    index: a stop meets the few shifts around it, not every shift of its line over the years (a
    join of every stop with every shift of its line took 15 s for a year of 30 lines).
    PostgreSQL is told so with a lateral join: left to itself, it misjudged the rows of the other
    side and compared every stop with every shift (2.5 million pairs for a line over two
    years)."""
    from logbook.shifts.models import Shift

    table = Shift._meta.db_table
    condition = (
        f"{alias}.line_id = {incident}.line_id AND {alias}.starts_at < {incident}.t_end "
        f"AND {alias}.starts_at > {days_before(f'{incident}.t_start', LONGEST_SHIFT_DAYS)} "
        f"AND {alias}.ends_at > {incident}.t_start"
    )
    if reading_connection().vendor == "postgresql":
        # OFFSET 0 keeps it a lookup per stop: a plain subquery would be pulled up into a join.
        columns = ", ".join(
            f"{alias}.{column}" for column in ("id", "pattern_id", "starts_at", "ends_at")
        )
        inner = f"SELECT {columns} FROM {table} {alias} WHERE {condition} OFFSET 0"
        return f"JOIN LATERAL ({inner}) {alias} ON TRUE"
    return f"JOIN {table} {alias} ON {condition}"


def period_params(start, end, now) -> dict:
    """A period's bounds and now as the hand-written report queries take them: in seconds
    (``s0``, ``e0``, ``now``) and as stored times (``start``, ``end``)."""
    return {
        "s0": epoch(start),
        "e0": epoch(end),
        "now": epoch(now),
        "start": adapt(start),
        "end": adapt(end),
    }


def rows(sql: str, params) -> list[tuple]:
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def current(table: str, alias: str) -> str:
    """The condition that the row ``alias`` of ``table`` has not been amended."""
    return f"NOT EXISTS (SELECT 1 FROM {table} amended WHERE amended.amends_id = {alias}.id)"


def local_day(column: str) -> str:
    """The local date of ``column`` in the zone of the ``%(tz)s`` parameter, as a day number
    (days since 1970-01-01), so that days compare and add up as integers."""
    if reading_connection().vendor == "postgresql":
        return f"((({column}) AT TIME ZONE %(tz)s)::date - DATE '1970-01-01')"
    # Django's own SQLite function turns a stored UTC time into the local date in ``tz``.
    local_date = f"django_datetime_cast_date({column}, %(tz)s, 'UTC')"
    return f"CAST(julianday({local_date}) - 2440587.5 AS INTEGER)"


EPOCH_DAY = datetime.date(1970, 1, 1).toordinal()


def day_number(day: datetime.date) -> int:
    return day.toordinal() - EPOCH_DAY
