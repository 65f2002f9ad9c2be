from django.core.management.base import BaseCommand, CommandError

from logbook.equipment.models import Site
from logbook.telemetry.models import Gateway


class Command(BaseCommand):
    help = (
        "Make a gateway for SITE_CODE and print its key, once: the gateway sends it as "
        "'Authorization: Bearer <key>' to POST /api/signals/, for that site's machines only. "
        "Revoke it by unticking 'active' in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("site_code")
        parser.add_argument("--name", default="", help="what the gateway is (default: gateway N)")

    def handle(self, *args, site_code, name, **options):
        site = Site.objects.filter(code__iexact=site_code).first()
        if site is None:
            codes = ", ".join(Site.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"No site {site_code!r} (sites: {codes}).")
        name = name.strip() or f"gateway {Gateway.objects.filter(site=site).count() + 1}"
        gateway, key = Gateway.issue(site=site, name=name)
        self.stderr.write(f"Gateway {gateway} made; its key (shown once):")
        self.stdout.write(key)
