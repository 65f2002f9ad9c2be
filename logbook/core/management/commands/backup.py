from django.core.management.base import CommandError

from logbook.core.backup import BackupError, backup
from logbook.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Write a consistent copy of the database to PATH while the app keeps running (SQLite's "
        "online backup; pg_dump on PostgreSQL). Copy MEDIA_ROOT (the photos) beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write")

    def handle(self, *args, path, **options):
        try:
            backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up the database to {path}.")
