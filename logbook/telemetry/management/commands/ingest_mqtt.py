import logging
import os
import signal

from django.core.management.base import BaseCommand

from logbook.telemetry.mqtt import DEFAULT_TOPIC, MqttIngest


class Command(BaseCommand):
    help = (
        "Take machine signals from an MQTT broker: subscribes to the topic template (default "
        f"{DEFAULT_TOPIC}, JSON payloads), stores them as POST /api/signals/ does, and "
        "acknowledges each message once stored. Reconnects by itself. Run one per broker or per "
        "site (a template such as plant/BRE/{line}/{asset}/{kind} with --site BRE), each with "
        "its own --client-id."
    )

    def add_arguments(self, parser):
        env = os.environ.get
        parser.add_argument("--host", default=env("MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(env("MQTT_PORT", "1883")))
        parser.add_argument("--topic", default=env("MQTT_TOPIC", DEFAULT_TOPIC))
        parser.add_argument(
            "--site", default=env("MQTT_SITE", ""), help="the site, if the topic does not name it"
        )
        parser.add_argument("--client-id", default=env("MQTT_CLIENT_ID", "plant-logbook-ingest"))
        parser.add_argument(
            "--seconds", type=float, default=None, help="stop after this long (default: never)"
        )

    def handle(self, *args, host, port, topic, site, client_id, seconds, **options):
        logging.basicConfig(level=logging.INFO)
        ingest = MqttIngest(
            host=host,
            port=port,
            template=topic,
            site_code=site,
            client_id=client_id,
            username=os.environ.get("MQTT_USERNAME", ""),
            password=os.environ.get("MQTT_PASSWORD", ""),
        )
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        ingest.start()
        self.stderr.write(f"Taking signals from {host}:{port}, topic {topic}.")
        try:
            ingest.run(seconds=seconds, until=lambda: bool(stopping))
        except KeyboardInterrupt:
            pass
        finally:
            ingest.stop()
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(ingest.counts.items()))
        self.stdout.write(f"Signals: {counts or 'none'}.")
