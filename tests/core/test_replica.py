"""Reports, exports and API lists read from a real PostgreSQL streaming replica; a technician's
own write is read back from the primary.

The app is served by gunicorn with ``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URL``
on a replica made with ``pg_basebackup -R`` (``.ci/run`` starts it and names it in
``TEST_REPLICA_URL``, as a superuser, so that the test may pause its replay). With the replay
paused the replica is behind the primary, so what each request shows tells where it read.
"""

import datetime
import os
import time
import urllib.parse

import psycopg
import pytest
from django.db import connection

from bench.served import call, served_plant

REPLICA_URL = os.environ.get("TEST_REPLICA_URL", "")

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not REPLICA_URL,
    reason="needs PostgreSQL and a streaming replica of it (TEST_REPLICA_URL, set by .ci/run)",
)


def _url(base: str, database: str, user=None, password=None) -> str:
    parts = urllib.parse.urlsplit(base)
    netloc = parts.netloc
    if user:
        netloc = f"{user}:{password}@{parts.hostname}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


@pytest.fixture(scope="module")
def replicated_plant():
    primary = connection.settings_dict
    database = f"replica_check_{os.getpid()}"
    admin = psycopg.connect(
        host=primary["HOST"],
        port=primary["PORT"],
        user=primary["USER"],
        password=primary["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
    admin.execute(f'CREATE DATABASE "{database}"')
    primary_url = (
        f"postgres://{primary['USER']}:{primary['PASSWORD']}@{primary['HOST']}:{primary['PORT']}"
        f"/{database}"
    )
    # The app reads the replica as the app's own role; the test pauses it as the superuser.
    replica_url = _url(REPLICA_URL, database, primary["USER"], primary["PASSWORD"])
    try:
        with (
            served_plant(primary_url, workers=2, DATABASE_REPLICA_URL=replica_url) as served,
            psycopg.connect(_url(REPLICA_URL, database), autocommit=True) as replica,
            psycopg.connect(primary_url, autocommit=True) as on_primary,
        ):
            yield served, replica, on_primary
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def _wait_until_replayed(replica, primary, deadline_seconds=60):
    """Until the replica has replayed everything the primary has written so far."""
    (target,) = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        (behind,) = replica.execute(
            "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()) > 0", [str(target)]
        ).fetchone()
        if not behind:
            return
        time.sleep(0.2)
    raise AssertionError("the replica did not catch up")


def test_reports_and_lists_read_the_replica_and_a_saved_entry_reads_the_primary(
    replicated_plant,
):
    (url, facts, _env, _server), replica, primary = replicated_plant
    _wait_until_replayed(replica, primary)
    status, sites = call("GET", f"{url}/api/sites/", facts["supervisor"])
    site = sites["results"][0]["id"]
    now = datetime.datetime.now(datetime.UTC)
    window = urllib.parse.urlencode(
        {
            "site": site,
            "start": (now - datetime.timedelta(days=2)).isoformat(),
            "end": (now + datetime.timedelta(hours=1)).isoformat(),
        }
    )
    pareto = f"{url}/api/reports/downtime-pareto/?{window}"

    def stops_counted():
        status, body = call("GET", pareto, facts["supervisor"])
        assert status == 200, body
        return sum(row["count"] for row in body)

    before = stops_counted()
    entries = f"{url}/api/log-entries/?shift_id={facts['shift']}"
    replica.execute("SELECT pg_wal_replay_pause()")
    try:
        # A technician logs an entry and reads it back: the write and that read are the
        # primary's, whatever the replica's delay.
        status, entry = call(
            "POST",
            f"{url}/api/log-entries/",
            facts["tech"],
            {"shift": facts["shift"], "category": "note", "text": "Guard rail refitted"},
        )
        assert status == 201, entry
        status, again = call("GET", f"{url}/api/log-entries/{entry['id']}/", facts["tech"])
        assert (status, again["text"]) == (200, "Guard rail refitted")
        # A stop of an hour ago, recorded now.
        status, stop = call(
            "POST",
            f"{url}/api/downtime/",
            facts["supervisor"],
            {
                "equipment": facts["machine"],
                "started_at": (now - datetime.timedelta(minutes=70)).isoformat(),
                "ended_at": (now - datetime.timedelta(minutes=50)).isoformat(),
            },
        )
        assert status == 201, stop
        # The technician's token is replaced (on the primary only, the replica paused): the
        # new one opens the lists at once and the old one is refused at once.
        fresh = "f" * 40
        primary.execute(
            "UPDATE authtoken_token SET key = %s WHERE key = %s", [fresh, facts["tech"]]
        )
        assert call("GET", entries, facts["tech"])[0] == 401
        # The list and the report read the replica, which has not replayed either write yet.
        status, listed = call("GET", entries, fresh)
        assert status == 200
        assert entry["id"] not in {row["id"] for row in listed["results"]}
        assert stops_counted() == before
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")
    _wait_until_replayed(replica, primary)
    status, listed = call("GET", entries, fresh)
    assert entry["id"] in {row["id"] for row in listed["results"]}
    assert stops_counted() == before + 1
