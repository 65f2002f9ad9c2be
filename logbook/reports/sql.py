"""SQL pieces shared by the report queries, for SQLite and PostgreSQL alike.

Report queries work in epoch seconds (floats): both databases can subtract and clip them, and
the difference of two instants is elapsed time whatever the zone (DST days are 23 or 25 hours).
"""

import datetime

from django.db import connection


def dialect():
    """(epoch-of-column, greatest, least) for this database."""
    if connection.vendor == "postgresql":
        return (lambda col: f"EXTRACT(EPOCH FROM {col})", "GREATEST", "LEAST")
    # SQLite keeps UTC datetimes as text; julianday() reads them, the epoch is day 2440587.5.
    return (lambda col: f"((julianday({col}) - 2440587.5) * 86400.0)", "MAX", "MIN")


def epoch(moment: datetime.datetime) -> float:
    return moment.timestamp()


def adapt(moment: datetime.datetime):
    """A datetime as the database compares it with a stored column."""
    return connection.ops.adapt_datetimefield_value(moment)


def rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def current(table: str, alias: str) -> str:
    """The condition that the row ``alias`` of ``table`` has not been amended."""
    return f"NOT EXISTS (SELECT 1 FROM {table} amended WHERE amended.amends_id = {alias}.id)"
