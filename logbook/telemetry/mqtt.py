"""Signals over MQTT (``manage.py ingest_mqtt``).

Each message is one signal. Its topic names where it comes from, by a template whose default is
``plant/{site}/{line}/{asset}/{kind}`` (``{site}`` a site's code, ``{asset}`` an asset tag,
``{kind}`` state, count or alarm; ``{line}`` is for the plant's own routing and not read); its
payload is JSON: ``{"at": "<ISO 8601 with offset>", "value": …, "id": "<event id>"}``, or the
bare value (then ``at`` is the moment it was received).

Messages are received with QoS 1 and acknowledged by hand, after the batch they are in is stored
(or refused with its reason): a message the database did not take is not acknowledged, kept,
and stored on the next pass; the broker sends again what was never acknowledged when the
client reconnects. Storing goes through ``services.ingest``, so a repeat lands once.
"""

import json
import logging
import queue
import threading
import time
from collections import Counter, defaultdict

import paho.mqtt.client as mqtt
from django.db import DatabaseError
from django.utils import timezone

from logbook.equipment.models import Site
from logbook.telemetry.choices import Outcome
from logbook.telemetry.models import RejectedSignal
from logbook.telemetry.services import (
    fresh_connection,
    ingest,
    open_lasting_stops,
    take_batch,
)

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "plant/{site}/{line}/{asset}/{kind}"
FIELDS = ("{site}", "{line}", "{asset}", "{kind}")


def subscription(template: str) -> str:
    """The topic filter of a template: each ``{field}`` level is a ``+``."""
    return "/".join("+" if level in FIELDS else level for level in template.split("/"))


def read_topic(template: str, topic: str) -> dict | None:
    """{"site", "line", "asset", "kind"} named by ``topic``, or None if it does not match."""
    levels, parts = template.split("/"), topic.split("/")
    if len(levels) != len(parts):
        return None
    named = {}
    for level, part in zip(levels, parts, strict=True):
        if level in FIELDS:
            named[level.strip("{}")] = part
        elif level != part:
            return None
    return named


def as_signal(named: dict, payload: bytes, received) -> dict | str:
    """The signal a message carries (as the HTTP endpoint takes it), or why it is refused."""
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "The payload is not JSON."
    if not (isinstance(body, dict) and "value" in body):
        body = {"value": body}
    return {
        "asset_tag": named.get("asset"),
        "kind": named.get("kind"),
        "at": body.get("at", received.isoformat()),
        "value": body.get("value"),
        "id": body.get("id", ""),
    }


class MqttIngest:
    """Subscribes, stores what arrives in batches, acknowledges what was stored."""

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=1883,
        template=DEFAULT_TOPIC,
        site_code="",
        client_id="plant-logbook-ingest",
        username="",
        password="",
        flush_seconds=0.2,
        sweep_seconds=10.0,
    ):
        self.template, self.site_code = template, site_code
        self.flush_seconds, self.sweep_seconds = flush_seconds, sweep_seconds
        self.messages: queue.Queue = queue.Queue()
        self.retry: list = []
        self.counts: Counter = Counter()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        if username:
            self.client.username_pw_set(username, password or None)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = lambda client, userdata, message: self.messages.put(message)
        self.host, self.port = host, port
        self._sites: dict[str, Site | None] = {}

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.warning("MQTT broker refused the connection: %s", reason_code)
            return
        logger.info("connected to %s:%s, subscribing", self.host, self.port)
        client.subscribe(subscription(self.template), qos=1)

    def start(self):
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, *, seconds=None, until=None):
        """Store what arrives until ``seconds`` have passed or ``until()`` is true (forever by
        default); open the stops that have lasted long enough every ``sweep_seconds``."""
        started = last_sweep = time.monotonic()
        while True:
            batch = self._next_batch()
            if batch:
                self.store(batch)
            if time.monotonic() - last_sweep >= self.sweep_seconds:
                self._sweep()
                last_sweep = time.monotonic()
            if until is not None and until():
                return
            if seconds is not None and time.monotonic() - started >= seconds:
                return

    def _next_batch(self) -> list:
        batch, self.retry = self.retry, []
        return take_batch(self.messages, self.flush_seconds, batch)

    def _site(self, code):
        if code not in self._sites:
            self._sites[code] = Site.objects.filter(code__iexact=code).first()
        return self._sites[code]

    def store(self, batch: list) -> None:
        """Store one batch by site; acknowledge each message once its site's part is stored."""
        received = timezone.now()
        by_site, refused, acked = defaultdict(list), [], set()
        fresh_connection()
        try:
            for message in batch:
                named = read_topic(self.template, message.topic)
                signal = as_signal(named, message.payload, received) if named else None
                code = (named or {}).get("site", self.site_code)
                site = self._site(code) if code else None
                if isinstance(signal, dict) and site is not None:
                    by_site[site].append((message, signal))
                else:
                    reason = (
                        signal
                        if isinstance(signal, str)
                        else f"No site for the topic {message.topic[:120]}."
                    )
                    refused.append((message, reason))
            for site, group in by_site.items():
                results = ingest(site=site, items=[signal for _, signal in group], now=received)
                self.counts.update(result["outcome"] for result in results)
                acked.update(self._ack(message for message, _ in group))
            if refused:
                RejectedSignal.objects.bulk_create(
                    RejectedSignal(
                        received_at=received,
                        reason=reason[:200],
                        payload=f"{message.topic} {message.payload[:800]!r}",
                    )
                    for message, reason in refused
                )
                self.counts[Outcome.REJECTED] += len(refused)
                acked.update(self._ack(message for message, _ in refused))
        except DatabaseError:
            # Not stored, not acknowledged: kept for the next pass (the broker would send it
            # again after a reconnect in any case).
            logger.exception("database error while storing %s signals; retrying", len(batch))
            self.retry = [m for m in batch if id(m) not in acked] + self.retry
            time.sleep(1)

    def _ack(self, messages) -> list[int]:
        done = []
        for message in messages:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
            done.append(id(message))
        return done

    def _sweep(self):
        fresh_connection()
        try:
            open_lasting_stops()
        except DatabaseError:
            logger.exception("database error while opening lasting stops")
