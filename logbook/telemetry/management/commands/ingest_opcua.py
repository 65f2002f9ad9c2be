import logging
import signal

from django.core.management.base import BaseCommand, CommandError

from logbook.telemetry.models import OpcUaNode
from logbook.telemetry.opcua import OpcUaIngest


class Command(BaseCommand):
    help = (
        "Take machine signals from an OPC UA server: subscribes to the variables mapped to "
        "machines for ENDPOINT (admin → OPC UA nodes) and stores their changes as POST "
        "/api/signals/ does. Reconnects by itself. Run one per server."
    )

    def add_arguments(self, parser):
        parser.add_argument("endpoint", nargs="?", help="e.g. opc.tcp://plc-line1:4840")
        parser.add_argument("--period", type=int, default=500, help="sampling, ms")
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")

    def handle(self, *args, endpoint, period, seconds, **options):
        logging.basicConfig(level=logging.INFO)
        known = sorted(set(OpcUaNode.objects.values_list("endpoint", flat=True)))
        if not endpoint or endpoint not in known:
            raise CommandError(
                f"Name a server with mapped nodes: {', '.join(known) or 'none mapped yet'}."
            )
        ingest = OpcUaIngest(endpoint, period_ms=period)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            ingest.run(seconds=seconds, until=lambda: bool(stopping))
        except KeyboardInterrupt:
            pass
        finally:
            ingest.disconnect()
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(ingest.counts.items()))
        self.stdout.write(f"Signals: {counts or 'none'}.")
