import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from logbook.core.jobs import JobCommand
from logbook.telemetry.services import prune_signals


class Command(JobCommand):
    help = (
        "Delete raw machine signals older than --days (default SIGNAL_RETENTION_DAYS, 7), but "
        "what later signals are read against; incidents, micro-stops, events and per-minute "
        "counts stay. Run it nightly (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=settings.SIGNAL_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        try:
            deleted = prune_signals(timezone.now() - datetime.timedelta(days=days))
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Deleted {deleted} raw signals older than {days:g} days.")
