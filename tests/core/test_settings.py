import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import settings as config


def _import_settings(**env):
    """Import the settings module in a fresh interpreter with exactly ``env`` on top of PATH."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=clean,
        capture_output=True,
        text=True,
        cwd=config.BASE_DIR,
        check=False,
    )


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True)])
def test_envbool_reads_clear_values(monkeypatch, raw, expected):
    monkeypatch.setitem(os.environ, "SOME_FLAG", raw)
    assert config.envbool("SOME_FLAG", not expected) is expected


def test_envbool_refuses_a_vague_value(monkeypatch):
    monkeypatch.setitem(os.environ, "SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        config.envbool("SOME_FLAG", False)


def test_envint_refuses_a_non_number(monkeypatch):
    monkeypatch.setitem(os.environ, "SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        config.envint("SOME_NUMBER", 3)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_database_url_it_does_not_know():
    result = _import_settings(DEBUG="true", DATABASE_URL="oracle-ish://nowhere/db")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_a_development_server_gets_a_development_key():
    result = _import_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_times_are_stored_in_utc():
    from django.conf import settings

    assert settings.TIME_ZONE == "UTC"
    assert settings.USE_TZ is True


def _database_options(**env):
    """The default and replica connections' OPTIONS for a PostgreSQL install with ``env``."""
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from config.settings import DATABASES as d; "
            "print(json.dumps([d['default']['OPTIONS'], d['replica']['OPTIONS']]))",
        ],
        env={
            "PATH": os.environ["PATH"],
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://u:p@127.0.0.1/db",
            "DATABASE_REPLICA_URL": "postgres://u:p@127.0.0.1/replica",
            **env,
        },
        capture_output=True,
        text=True,
        cwd=config.BASE_DIR,
        check=True,
    )
    return json.loads(shown.stdout)


def test_postgresql_compiles_no_query_just_in_time_and_plans_cursors_to_their_end(db):
    """PostgreSQL's JIT took a second to compile a site's OEE query that ran in half a second
    (it judges cost by estimates): connections turn it off, for the primary and the replica.
    A cursor (a streamed export) is read to its end: planned for a tenth of its rows, one
    line's stops were found by walking every stop of five years newest first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (CI runs the suite on PostgreSQL too)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW cursor_tuple_fraction")
        assert float(cursor.fetchone()[0]) == 1
    planner = "-c jit=off -c cursor_tuple_fraction=1"
    assert [options["options"] for options in _database_options()] == [planner, planner]


def test_postgresql_prepares_statements_only_when_told():
    """Off by default (a plan made once cannot know a report's period: the quality report was
    1.3 times slower); DATABASE_PREPARE_THRESHOLD turns it on for primary and replica."""
    for options in _database_options():
        assert "server_side_binding" not in options
        assert "prepare_threshold" not in options
    for options in _database_options(DATABASE_PREPARE_THRESHOLD="5"):
        assert options["server_side_binding"] is True
        assert options["prepare_threshold"] == 5


def test_a_connection_told_to_prepare_plans_a_repeated_query_once(db):
    """With the setting's options, a query the connection has run often enough is prepared:
    PostgreSQL plans it once per connection (kept between requests with CONN_MAX_AGE)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (CI runs the suite on PostgreSQL too)")
    told = dict(connection.settings_dict)
    told["OPTIONS"] = {**told["OPTIONS"], "server_side_binding": True, "prepare_threshold": 2}
    preparing = type(connections["default"])(told, alias="default")
    try:
        with preparing.cursor() as cursor:
            for code in range(3):
                cursor.execute("SELECT id FROM equipment_site WHERE code = %s", [f"none-{code}"])
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
    finally:
        preparing.close()
    assert "SELECT id FROM equipment_site WHERE code = $1" in prepared
