from django.conf import settings
from django.core.management.base import CommandError

from logbook.core.jobs import JobCommand
from logbook.maintenance.services import generate_pm_work_orders


class Command(JobCommand):
    help = (
        "Create the preventive work orders that fall due within the look-ahead window. Run it "
        "from cron or a systemd timer; running it twice, or on two servers at once, makes "
        "nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.PM_LOOKAHEAD_DAYS,
            help="look-ahead window in days (setting PM_LOOKAHEAD_DAYS)",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        counts = generate_pm_work_orders(lookahead_days=days)
        self.stdout.write(
            f"work orders: {counts['created']} created, {counts['already']} already there; "
            f"{counts['no_date']} meter schedules without a projected date (no recent readings)"
        )
