import datetime
import os
import time
import urllib.error

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from logbook.equipment.models import Equipment, Line
from logbook.telemetry.mqtt import DEFAULT_TOPIC
from logbook.telemetry.simulator import ALARMS, HttpSender, MqttSender, timeline


class Command(BaseCommand):
    help = (
        "Post a line's machine signals as its gateway would: the last --backfill minutes at "
        "once, then live for --seconds (runs, stops of several lengths, micro-stops, counters "
        "with rejects, alarms). Over HTTP (--url, --key or GATEWAY_KEY: a key from "
        "gateway_token) or MQTT (--via mqtt, --host, --port). --stop ASSET instead posts that "
        "the machine stopped with a fault three minutes ago, and --start ASSET that it runs now."
    )

    def add_arguments(self, parser):
        parser.add_argument("line", help="the line's code")
        parser.add_argument("--site", default="", help="the site's code, if codes repeat")
        parser.add_argument("--via", choices=["http", "mqtt"], default="http")
        parser.add_argument("--url", default=os.environ.get("SITE_URL", "http://127.0.0.1:8000"))
        parser.add_argument("--key", default=os.environ.get("GATEWAY_KEY", ""))
        parser.add_argument("--host", default=os.environ.get("MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("MQTT_PORT", "1883")))
        parser.add_argument("--topic", default=os.environ.get("MQTT_TOPIC", DEFAULT_TOPIC))
        parser.add_argument("--backfill", type=float, default=60, help="minutes (default 60)")
        parser.add_argument("--seconds", type=float, default=0, help="then live this long")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--stop", default="", metavar="ASSET")
        parser.add_argument("--start", default="", metavar="ASSET")

    def handle(self, *args, **options):
        lines = Line.objects.filter(code__iexact=options["line"]).select_related("area__site")
        if options["site"]:
            lines = lines.filter(area__site__code__iexact=options["site"])
        line = lines.first()
        if line is None:
            raise CommandError(f"No line {options['line']!r}.")
        machines = list(
            Equipment.objects.filter(line=line, parent__isnull=True)
            .exclude(status="decommissioned")
            .order_by("asset_tag")
            .values_list("asset_tag", flat=True)
        )
        sender = self._sender(options, line)
        now = timezone.now()
        try:
            if options["stop"] or options["start"]:
                answer = sender.send(self._scripted(options, now))
                self.stdout.write(f"Posted: {answer}.")
                return
            end = now + datetime.timedelta(seconds=options["seconds"])
            start = now - datetime.timedelta(minutes=options["backfill"])
            signals = timeline(machines, start, end, seed=options["seed"])
            past = [s for s in signals if s["_at"] <= now]
            self.stdout.write(f"{len(machines)} machines; backfill: {sender.send(past)}.")
            for signal in signals[len(past) :]:
                wait = (signal["_at"] - timezone.now()).total_seconds()
                if wait > 0:
                    time.sleep(wait)
                sender.send([signal])
        except urllib.error.HTTPError as error:
            raise CommandError(
                f"The server answered {error.code}: {error.read()[:300]!r}"
            ) from None
        except (OSError, urllib.error.URLError) as error:
            raise CommandError(f"Cannot reach the server: {error}") from None
        finally:
            sender.close()

    def _sender(self, options, line):
        if options["via"] == "mqtt":
            return MqttSender(
                options["host"], options["port"], line.area.site.code, line.code, options["topic"]
            )
        if not options["key"]:
            raise CommandError("Give the gateway's key: --key or GATEWAY_KEY (gateway_token).")
        return HttpSender(options["url"], options["key"])

    def _scripted(self, options, now):
        def at(minutes):
            return (now - datetime.timedelta(minutes=minutes)).isoformat()

        if options["start"]:
            return [
                {"asset_tag": options["start"], "at": at(0), "kind": "state", "value": "running"}
            ]
        code, text = ALARMS[0]
        tag = options["stop"]
        return [
            {"asset_tag": tag, "at": at(4), "kind": "state", "value": "running"},
            {"asset_tag": tag, "at": at(3), "kind": "state", "value": "fault"},
            {"asset_tag": tag, "at": at(3), "kind": "alarm", "value": {"code": code, "text": text}},
        ]
