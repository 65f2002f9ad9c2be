import datetime

from django.core.management.base import CommandError

from logbook.core.jobs import JobCommand
from logbook.reports.digest import send_digests


class Command(JobCommand):
    help = (
        "E-mail each supervisor yesterday's figures for their sites (once a day: run it as often "
        "as you like, on as many servers as you like; each person gets one digest per day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to report, YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give the day as YYYY-MM-DD.") from None
        result = send_digests(day)
        self.stdout.write(
            f"digest for {result['day']}: {result['sent']} sent, {result['skipped']} already "
            f"sent, {result['failed']} failed"
        )
        if result["failed"]:
            raise CommandError(f"{result['failed']} digests could not be sent (see the log).")
