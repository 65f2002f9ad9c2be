from django.core.management.base import BaseCommand, CommandError

from logbook.core.db import refresh_statistics
from logbook.downtime.importers import ImportError_, import_pdm


class Command(BaseCommand):
    help = (
        "Import machines, failures and alarms from CSV files in the Azure predictive-maintenance "
        "format (docs/import.md). Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the folder holding PdM_machines.csv and the others")
        parser.add_argument(
            "--repair-minutes",
            type=int,
            default=240,
            help="how long each imported failure kept its machine down",
        )
        parser.add_argument(
            "--site",
            default="PDM",
            help="the site code to import into (created, in UTC, if missing)",
        )

    def handle(self, *args, folder, repair_minutes, site, **options):
        try:
            report = import_pdm(folder, repair_minutes=repair_minutes, site_code=site)
        except ImportError_ as error:
            raise CommandError(str(error)) from error
        refresh_statistics()
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Import finished."))
