"""Back up and restore the whole database, online, with the database's own tools.

SQLite: the online backup API (a consistent copy while the app keeps serving; a restore copies
the pages back into the live file under its lock). PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean``, which must be on the PATH (Debian: postgresql-client, of the server's
major version or newer).

Uploaded photos live beside the database, in MEDIA_ROOT: copy that folder with the backup.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def _postgres_env(settings_dict) -> tuple[list[str], dict]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _postgres(tool: str, settings_dict, *args) -> None:
    """Run PostgreSQL's ``tool`` against the database of ``settings_dict``; raise on failure."""
    connection_args, env = _postgres_env(settings_dict)
    result = subprocess.run(
        [_tool(tool), *connection_args, *args], env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise BackupError(result.stderr.strip() or f"{tool} failed")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def backup(path: Path, using: str = "default") -> None:
    """Write a consistent copy of the database to ``path``."""
    connection = connections[using]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        _postgres(
            "pg_dump",
            settings_dict,
            "--format=custom",
            "--no-owner",
            f"--file={path}",
            settings_dict["NAME"],
        )
        return
    raise BackupError(f"No backup for a {connection.vendor} database.")


def restore(path: Path, using: str = "default") -> None:
    """Replace the database's contents with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a backup file.")
    connection = connections[using]
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is not a sound SQLite database.")
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path}: {error}") from None
        finally:
            source.close()
        return
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        connection.close()  # pg_restore drops and recreates the tables this session would hold
        _postgres(
            "pg_restore",
            settings_dict,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={settings_dict['NAME']}",
            str(path),
        )
        return
    raise BackupError(f"No restore for a {connection.vendor} database.")
