"""Several technicians writing at once to the embedded SQLite database: they queue, never 500.

A real gunicorn with several worker processes on one database file, as `make run`'s database
serves a plant floor. Before WAL and IMMEDIATE transactions, 20 simultaneous log entries failed
mostly with "database is locked" (500), and 5 simultaneous "running again" on one stop gave one
success and four 500s.
"""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from bench.served import call, served_plant

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the SQLite file lock is what this tests; PostgreSQL's run is `make load`",
)


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    database = tmp_path_factory.mktemp("concurrent") / "plant.sqlite3"
    with served_plant(f"sqlite:///{database}") as served:
        yield served


def _at_once(count, action):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(action, range(count)))


def test_twenty_technicians_log_at_once_and_every_entry_is_kept(plant):
    url, facts, _env, _server = plant

    def post(number):
        return call(
            "POST",
            f"{url}/api/log-entries/",
            facts["tech"],
            {"shift": facts["shift"], "category": "note", "text": f"concurrent entry {number}"},
        )

    answers = _at_once(20, post)
    assert [status for status, _ in answers] == [201] * 20, answers
    status, body = call(
        "GET", f"{url}/api/log-entries/?shift_id={facts['shift']}&page_size=500", facts["tech"]
    )
    assert status == 200
    texts = {row["text"] for row in body["results"]}
    assert {f"concurrent entry {number}" for number in range(20)} <= texts


def test_five_machine_downs_at_once_give_one_stop_and_four_conflicts(plant):
    url, facts, _env, _server = plant

    def down(_):
        return call(
            "POST",
            f"{url}/api/downtime/",
            facts["tech"],
            {"equipment": facts["machine"], "symptom": "Jammed"},
        )

    answers = _at_once(5, down)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 409, 409, 409, 409], answers
    incident = next(body for status, body in answers if status == 201)

    def running_again(_):
        return call("POST", f"{url}/api/downtime/{incident['id']}/ended/", facts["tech"], {})

    answers = _at_once(5, running_again)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200, 409, 409, 409, 409], answers
    conflict = next(body for status, body in answers if status == 409)
    assert "detail" in conflict  # says what happened


def test_healthz_says_503_while_the_database_takes_no_writes(plant):
    """Another process holds the write lock past the timeout: pages answer a clean 503."""
    import sqlite3
    import urllib.error
    import urllib.request

    url, facts, env, _server = plant
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        # Wait shorter than the server would: healthz must answer within its own timeout.
        started = datetime.datetime.now()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{url}/healthz", timeout=60)
        assert refused.value.code == 503
        assert (datetime.datetime.now() - started).total_seconds() < 30
        status, body = call(
            "POST",
            f"{url}/api/log-entries/",
            facts["tech"],
            {"shift": facts["shift"], "category": "note", "text": "while locked"},
        )
        assert status == 503 and "detail" in body
    finally:
        holder.rollback()
        holder.close()
    with urllib.request.urlopen(f"{url}/healthz", timeout=30) as response:
        assert response.status == 200
