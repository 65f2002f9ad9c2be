"""Signals over OPC UA (``manage.py ingest_opcua``).

The variables mapped in ``OpcUaNode`` for one server endpoint are watched through one
subscription; each change is a signal at the value's source timestamp (the server's, if the
source gives none), stored through ``services.ingest`` from the calling thread (asyncua's
client runs its own event loop in a thread of its own). On reconnection the server sends each
variable's current value again: stored once, as a repeat. A lost connection is retried with a
growing pause.
"""

import datetime
import logging
import queue
import time
from collections import Counter, defaultdict

from asyncua import sync
from django.db import DatabaseError

from logbook.telemetry.choices import SignalKind
from logbook.telemetry.models import OpcUaNode
from logbook.telemetry.services import (
    fresh_connection,
    ingest,
    open_lasting_stops,
    take_batch,
)

logger = logging.getLogger(__name__)

STATES = {0: "stopped", 1: "running", 2: "fault"}


def as_value(kind: str, value):
    """A variable's value as the signal's value; None for "nothing to record" (an alarm that
    cleared)."""
    if kind == SignalKind.STATE:
        if isinstance(value, bool):
            return "running" if value else "stopped"
        if isinstance(value, int):
            return STATES.get(value, f"unknown state {value}")
        return str(value).strip().lower()
    if kind == SignalKind.ALARM:
        code = str(value).strip() if value not in (None, 0, False) else ""
        return code or None
    return value


class _Changes:
    def __init__(self, changes: queue.Queue):
        self.changes = changes

    def datachange_notification(self, node, value, data):
        stamp = (
            data.monitored_item.Value.SourceTimestamp or data.monitored_item.Value.ServerTimestamp
        )
        self.changes.put((node.nodeid.to_string(), value, stamp))


class OpcUaIngest:
    def __init__(self, endpoint: str, *, period_ms=500, flush_seconds=0.2, sweep_seconds=10.0):
        self.endpoint, self.period_ms = endpoint, period_ms
        self.flush_seconds, self.sweep_seconds = flush_seconds, sweep_seconds
        self.changes: queue.Queue = queue.Queue()
        self.counts: Counter = Counter()
        self.client = None
        self.nodes: dict[str, OpcUaNode] = {}

    def connect(self):
        self.nodes = {
            node.node_id: node
            for node in OpcUaNode.objects.filter(endpoint=self.endpoint).select_related(
                "equipment__line__area__site"
            )
        }
        if not self.nodes:
            raise ValueError(f"No OPC UA nodes are mapped for {self.endpoint}.")
        client = sync.Client(self.endpoint, timeout=10)
        client.connect()
        subscription = client.create_subscription(self.period_ms, _Changes(self.changes))
        subscription.subscribe_data_change([client.get_node(node_id) for node_id in self.nodes])
        self.client = client
        logger.info("watching %s variables on %s", len(self.nodes), self.endpoint)

    def disconnect(self):
        """Close the session and the client's thread (also after a lost connection)."""
        if self.client is not None:
            try:
                self.client.disconnect()
            except Exception:
                logger.debug("disconnect from a lost connection", exc_info=True)
            self.client = None

    def run(self, *, seconds=None, until=None):
        """Connect (again, as often as needed) and store the changes until ``seconds`` have
        passed or ``until()`` is true."""
        started = last_sweep = last_check = time.monotonic()
        pause = 1
        while True:
            if self.client is None:
                try:
                    self.connect()
                    pause = 1
                except (OSError, TimeoutError, ConnectionError) as error:
                    logger.warning(
                        "cannot reach %s (%s); again in %s s", self.endpoint, error, pause
                    )
                    self.disconnect()
                    time.sleep(pause)
                    pause = min(pause * 2, 30)
            batch = take_batch(self.changes, self.flush_seconds)
            if batch:
                self.store(batch)
            now = time.monotonic()
            if self.client is not None and now - last_check >= 2:
                last_check = now
                try:
                    self.client.check_connection()
                except Exception:
                    logger.warning("lost %s; reconnecting", self.endpoint)
                    self.disconnect()
            if now - last_sweep >= self.sweep_seconds:
                fresh_connection()
                open_lasting_stops()
                last_sweep = now
            if until is not None and until():
                return
            if seconds is not None and now - started >= seconds:
                return

    def store(self, batch):
        """Store one batch by site; a part the database refused goes back in the queue."""
        by_site = defaultdict(list)
        for change in batch:
            node_id, value, stamp = change
            node = self.nodes.get(node_id)
            value = as_value(node.kind, value) if node is not None else None
            if value is None:
                continue
            at = (stamp or datetime.datetime.now(datetime.UTC)).replace(tzinfo=datetime.UTC)
            signal = {
                "asset_tag": node.equipment.asset_tag,
                "at": at.isoformat(),
                "kind": node.kind,
                "value": value,
            }
            by_site[node.equipment.line.area.site].append((change, signal))
        fresh_connection()
        for site, group in by_site.items():
            try:
                results = ingest(site=site, items=[signal for _, signal in group])
            except DatabaseError:
                logger.exception("database error; %s signals kept to retry", len(group))
                for change, _ in group:
                    self.changes.put(change)
                time.sleep(1)
                continue
            self.counts.update(result["outcome"] for result in results)
