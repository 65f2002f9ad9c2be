import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string

from logbook.core.db import refresh_statistics

# Each step takes the demo document and the command's stdout and creates only what is missing,
# so a second run changes nothing. Apps append their steps as they land.
DEMO_STEPS = [
    "logbook.equipment.demo.load_register",
    "logbook.accounts.demo.load_users",
    "logbook.equipment.demo.load_readings",
    # Stops before shifts: a shift's counts are made from the time its line actually ran.
    "logbook.downtime.demo.load",
    "logbook.shifts.demo.load",
    "logbook.maintenance.demo.load",
    "logbook.quality.demo.load",
    "logbook.reports.demo.load",
    "logbook.workrequests.demo.load",
    "logbook.telemetry.demo.load",
    "logbook.accounts.demo.load_language_users",
]
DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo_plant.json"


class Command(BaseCommand):
    help = "Load the demo plant from fixtures/demo_plant.json. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="the demo plant JSON file")
        parser.add_argument(
            "--logins", action="store_true", help="print the demo users, their roles and lines"
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the plant's own words: reason codes, failure codes, PM "
            "schedules and checklists, shift patterns (default: %(default)s)",
        )

    def handle(self, *args, file, logins=False, language=settings.LANGUAGE_CODE, **options):
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        with transaction.atomic(), translation.override(language):
            for step in DEMO_STEPS:
                import_string(step)(data, self.stdout)
        refresh_statistics()
        self.stdout.write(self.style.SUCCESS("Demo plant loaded."))
        if logins:
            self.stdout.write(demo_logins(data))


def demo_logins(data) -> str:
    """Every demo user of the document, with role, sites and home line, as a short table."""
    from logbook.core.roles import Role

    rows = []
    languages = dict(settings.LANGUAGES)
    for user in [*data["users"], *data.get("users_in_their_language", [])]:
        where = " ".join(user["sites"])
        if user.get("home_line"):
            where += f", line {user['home_line']}"
        if user.get("language"):
            where += f", in {languages[user['language']]}"
        roles = ", ".join(str(Role(role).label) for role in user["roles"])
        rows.append((user["username"], roles, where))
    width = max(len(row[0]) for row in rows) + 2
    lines = ["", "Demo logins (the password of each is 'demo'; demo data only):"]
    lines += [f"  {name:<{width}}{role}: {where}" for name, role, where in rows]
    return "\n".join([*lines, ""])
