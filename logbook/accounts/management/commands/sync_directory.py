from django.conf import settings
from django.core.management.base import CommandError

from logbook.accounts.services import DIRECTORY_BACKEND
from logbook.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Bring the directory accounts in line with the plant's directory: roles and sites "
        "updated; deactivated (API tokens revoked) when gone from it, in the deny group or in "
        "no role's group. Changes nothing when the directory cannot be reached. Run it hourly."
    )

    def handle(self, *args, **options):
        if DIRECTORY_BACKEND not in settings.AUTHENTICATION_BACKENDS:
            raise CommandError("Directory login is off: LDAP_SERVER_URI is not set.")
        from logbook.accounts.directory_backend import (
            DirectoryUnreachable,
            sync_directory_accounts,
        )

        try:
            updated, deactivated = sync_directory_accounts()
        except DirectoryUnreachable as error:
            raise CommandError(
                f"The directory cannot be reached, nobody was deactivated: {error}"
            ) from None
        self.stdout.write(f"Directory accounts: {updated} up to date, {deactivated} deactivated.")
