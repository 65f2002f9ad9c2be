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
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config.settings import DATABASES as d; "
            "print(d['default']['OPTIONS']['options'], d['replica']['OPTIONS']['options'])",
        ],
        env={
            "PATH": os.environ["PATH"],
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://u:p@127.0.0.1/db",
            "DATABASE_REPLICA_URL": "postgres://u:p@127.0.0.1/replica",
        },
        capture_output=True,
        text=True,
        cwd=config.BASE_DIR,
        check=True,
    )
    planner = ["-c", "jit=off", "-c", "cursor_tuple_fraction=1"]
    assert shown.stdout.split() == planner + planner
