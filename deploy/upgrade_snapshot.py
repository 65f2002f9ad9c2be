"""What an upgrade must keep, read straight from the tables (the code reading it may be older or
newer than the tables' models): rows per table, the signatures as they are, the audit trail's
size. Printed as JSON; run with ``manage.py shell -c``, so by the old code and the new alike."""

import hashlib
import json

from django.db import connection

snapshot = {"tables": {}, "signatures": None, "history_rows": 0}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        if table.startswith(("django_session", "axes_")):
            continue  # logins of the check itself
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        count = cursor.fetchone()[0]
        snapshot["tables"][table] = count
        if table.startswith(
            tuple(
                f"{app}_historical"
                for app in (
                    "accounts",
                    "equipment",
                    "shifts",
                    "downtime",
                    "maintenance",
                    "quality",
                    "workrequests",
                    "telemetry",
                    "reports",
                    "core",
                )
            )
        ):
            snapshot["history_rows"] += count
    cursor.execute(
        "SELECT id, signer_id, signer_name, signed_at, meaning, reason "
        "FROM accounts_signature ORDER BY id"
    )
    rows = [[str(value) for value in row] for row in cursor.fetchall()]
    snapshot["signatures"] = {
        "count": len(rows),
        "digest": hashlib.sha256(json.dumps(rows).encode()).hexdigest(),
    }
print(json.dumps(snapshot))
