"""The machines of each line counted by recorded status, kept by the database (``StatusCount``).

Triggers on ``equipment_equipment`` add one to the (line, status) a machine arrives in and take
one from the one it leaves, in the same transaction as the write, on every path. A migration
that rebuilds the machines' table on SQLite (Django copies the rows into a new table for most
column changes) drops its triggers: such a migration calls ``install`` again after it, and
``tests/equipment/test_status_counts.py`` fails until it does.
"""

TABLE = "equipment_statuscount"

_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION equipment_status_count() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE {TABLE} SET n = n - 1 WHERE line_id = OLD.line_id AND status = OLD.status;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO {TABLE} (line_id, status, n) VALUES (NEW.line_id, NEW.status, 1)
            ON CONFLICT (line_id, status) DO UPDATE SET n = {TABLE}.n + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    """CREATE TRIGGER equipment_status_count_insert AFTER INSERT ON equipment_equipment
       FOR EACH ROW EXECUTE FUNCTION equipment_status_count()""",
    """CREATE TRIGGER equipment_status_count_delete AFTER DELETE ON equipment_equipment
       FOR EACH ROW EXECUTE FUNCTION equipment_status_count()""",
    # Only when the line or the status really changes: a machine saved with its other fields
    # edited writes nothing here.
    """CREATE TRIGGER equipment_status_count_update
       AFTER UPDATE OF line_id, status ON equipment_equipment FOR EACH ROW
       WHEN (OLD.line_id IS DISTINCT FROM NEW.line_id OR OLD.status IS DISTINCT FROM NEW.status)
       EXECUTE FUNCTION equipment_status_count()""",
]

# SQLite has no upsert in a trigger's body worth relying on: the row is made if missing (at 0),
# then counted.
_SQLITE_ARRIVE = f"""
    INSERT OR IGNORE INTO {TABLE} (line_id, status, n) VALUES (NEW.line_id, NEW.status, 0);
    UPDATE {TABLE} SET n = n + 1 WHERE line_id = NEW.line_id AND status = NEW.status;
"""
_SQLITE_LEAVE = f"""
    UPDATE {TABLE} SET n = n - 1 WHERE line_id = OLD.line_id AND status = OLD.status;
"""
_SQLITE = [
    f"""CREATE TRIGGER equipment_status_count_insert AFTER INSERT ON equipment_equipment
        BEGIN {_SQLITE_ARRIVE} END""",
    f"""CREATE TRIGGER equipment_status_count_delete AFTER DELETE ON equipment_equipment
        BEGIN {_SQLITE_LEAVE} END""",
    f"""CREATE TRIGGER equipment_status_count_update
        AFTER UPDATE OF line_id, status ON equipment_equipment
        WHEN OLD.line_id IS NOT NEW.line_id OR OLD.status IS NOT NEW.status
        BEGIN {_SQLITE_LEAVE} {_SQLITE_ARRIVE} END""",
]

TRIGGERS = (
    "equipment_status_count_insert",
    "equipment_status_count_delete",
    "equipment_status_count_update",
)


def install(connection) -> None:
    """Create (or re-create) the triggers, then count every machine afresh."""
    statements = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}[connection.vendor]
    uninstall(connection)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (line_id, status, n) "
            "SELECT line_id, status, COUNT(*) FROM equipment_equipment GROUP BY line_id, status"
        )
        cursor.execute(f"ANALYZE {TABLE}")  # planned by its real size from the start


def uninstall(connection) -> None:
    """Drop the triggers (and PostgreSQL's function behind them)."""
    on = " ON equipment_equipment" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS equipment_status_count()")


def installed(connection) -> set[str]:
    """The names of the triggers the machines' table has now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgname FROM pg_trigger "
                "WHERE tgrelid = 'equipment_equipment'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'equipment_equipment'"
            )
        return {row[0] for row in cursor.fetchall()}
