"""`manage.py backup` and `restore` round-trip the demo plant: every row, history and signatures
included, is identical afterwards."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from logbook.accounts.models import Signature
from logbook.shifts.models import LogEntry


def _every_row():
    """Every row of every table the app has (models, their histories, many-to-many tables)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        rows[model._meta.db_table] = list(model._base_manager.order_by("pk").values())
    return rows


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_of_the_demo_plant(tmp_path, monkeypatch):
    call_command("load_demo", stdout=io.StringIO())
    before = _every_row()
    assert before[Signature._meta.db_table] and before["shifts_historicallogentry"]
    path = tmp_path / "plant.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.stat().st_size > 0

    # Things go wrong after the backup: rows are lost (as by a bad script) and added.
    LogEntry.objects.filter(pk__in=LogEntry.objects.values("pk")[:5]).update(text="lost")
    call_command("load_demo", stdout=io.StringIO())

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path), stdout=io.StringIO())
    assert LogEntry.objects.filter(text="lost").exists()

    call_command("restore", str(path), "--noinput", stdout=io.StringIO())
    assert _every_row() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(junk), "--noinput", stdout=io.StringIO())
