"""Machine signals: the gateways that post them, the raw signals kept for the horizon, and what
they become besides downtime incidents and equipment events (alarms): micro-stops."""

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateTimeField
from logbook.core.querysets import SiteScopedQuerySet
from logbook.telemetry.choices import SignalKind


def key_digest(key: str) -> str:
    """What is stored of a gateway's key: its SHA-256 (the key itself is shown once)."""
    return hashlib.sha256(key.encode()).hexdigest()


KEY_PREFIX = "lbgw_"


class Gateway(models.Model):
    """A PLC gateway, an MQTT bridge or an OPC UA client: allowed to post signals for the
    machines of one site, and nothing else."""

    site = models.ForeignKey(
        "equipment.Site", models.PROTECT, related_name="gateways", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to refuse its key from now on.")
    )
    created_at = DateTimeField(_("created at"), auto_now_add=True)
    last_seen_at = DateTimeField(_("last posted at"), null=True, blank=True, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "site"

    class Meta:
        ordering = ["site__code", "name"]
        verbose_name = _("gateway")
        verbose_name_plural = _("gateways")

    def __str__(self):
        return f"{self.site.code} · {self.name}"

    @classmethod
    def issue(cls, *, site, name: str) -> tuple["Gateway", str]:
        """A new gateway and its key, which is not kept and cannot be shown again."""
        # Prefixed: a key is recognisable in a leaked config, and never starts with "-" (which a
        # command line, e.g. ``simulate_line --key``, would take for an option: 1 key in 64).
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(site=site, name=name, key_digest=key_digest(key)), key


class Signal(models.Model):
    """One signal as received, kept for the late-arrival horizon: the machine's states are
    re-read from these when a late one lands between two others."""

    equipment = models.ForeignKey(
        "equipment.Equipment", models.CASCADE, related_name="+", verbose_name=_("equipment")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=SignalKind.choices)
    at = DateTimeField(_("at (machine)"))
    value = models.CharField(_("value"), max_length=200)
    event_id = models.CharField(_("gateway's event id"), max_length=100, blank=True)
    gateway = models.ForeignKey(
        Gateway, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("gateway")
    )
    received_at = DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        indexes = [models.Index(fields=["equipment", "kind", "at"])]
        constraints = [
            # The same signal twice (a gateway's retry, a broker's redelivery) is stored once.
            models.UniqueConstraint(
                fields=["equipment", "kind", "at", "value"], name="telemetry_signal_once"
            ),
            models.UniqueConstraint(
                fields=["gateway", "event_id"],
                condition=~Q(event_id=""),
                name="telemetry_signal_event_once",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.value} @ {self.at:%Y-%m-%d %H:%M:%S}"


class MachineLink(models.Model):
    """What the signals last said of one machine: read by the pages (running, stopped or no
    signal) and by the check that opens a stop once it has lasted long enough."""

    equipment = models.OneToOneField(
        "equipment.Equipment",
        models.CASCADE,
        primary_key=True,
        related_name="machine_link",
        verbose_name=_("equipment"),
    )
    state = models.CharField(_("state"), max_length=10)
    state_since = DateTimeField(_("since"))
    last_signal_at = DateTimeField(_("last signal at"))
    # A stop not yet long enough to be an incident, waiting for the threshold or its end.
    stop_pending = models.BooleanField(default=False, db_index=True)

    objects = SiteScopedQuerySet.as_manager()
    site_lookup = "equipment__line__area__site"

    class Meta:
        verbose_name = _("machine link")
        verbose_name_plural = _("machine links")

    def __str__(self):
        return _("%(machine)s: %(state)s since %(when)s") % {
            "machine": self.equipment_id,
            "state": self.state,
            "when": f"{self.state_since:%Y-%m-%d %H:%M:%S}",
        }


class MachinePeriod(models.Model):
    """A stretch of a machine's time the signals tell of, from ``started_at`` to ``ended_at``,
    read by site like the machine."""

    objects = SiteScopedQuerySet.as_manager()
    site_lookup = "equipment__line__area__site"

    class Meta:
        abstract = True
        ordering = ["-started_at"]

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


class MicroStop(MachinePeriod):
    """A machine's stop shorter than its class's threshold: a speed loss, not an incident."""

    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.CASCADE,
        related_name="micro_stops",
        verbose_name=_("equipment"),
    )
    started_at = DateTimeField(_("stopped at"))
    ended_at = DateTimeField(_("running again"))

    class Meta(MachinePeriod.Meta):
        verbose_name = _("micro-stop")
        verbose_name_plural = _("micro-stops")
        indexes = [models.Index(fields=["-started_at"], name="telemetry_microstop_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "started_at"], name="telemetry_microstop_once"
            )
        ]

    def __str__(self):
        return f"{self.equipment.asset_tag} {self.started_at:%Y-%m-%d %H:%M:%S}"


class SilentPeriod(MachinePeriod):
    """A time a machine sent nothing for at least its class's heartbeat: from its last signal to
    the next one. Neither running nor down: its state was not known then, and the reports count
    that time apart."""

    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.CASCADE,
        related_name="silent_periods",
        verbose_name=_("equipment"),
    )
    started_at = DateTimeField(_("last signal before"))
    ended_at = DateTimeField(_("next signal"))

    class Meta(MachinePeriod.Meta):
        verbose_name = _("silent period")
        verbose_name_plural = _("silent periods")
        indexes = [models.Index(fields=["-started_at"], name="telemetry_silent_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "started_at"], name="telemetry_silent_once"
            )
        ]

    def __str__(self):
        return _("%(machine)s silent %(start)s–%(end)s") % {
            "machine": self.equipment_id,
            "start": f"{self.started_at:%Y-%m-%d %H:%M}",
            "end": f"{self.ended_at:%H:%M}",
        }


class CountMinute(models.Model):
    """A machine's counter signals rolled up per minute: what it made and rejected then (the
    differences between its readings, a counter reset counted from zero). Shifts and reports
    read these, not the raw signals."""

    equipment = models.ForeignKey(
        "equipment.Equipment", models.CASCADE, related_name="+", verbose_name=_("equipment")
    )
    minute = DateTimeField(_("minute"))
    produced = models.PositiveIntegerField(_("produced"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta:
        verbose_name = _("count per minute")
        verbose_name_plural = _("counts per minute")
        constraints = [
            models.UniqueConstraint(fields=["equipment", "minute"], name="telemetry_count_minute")
        ]

    def __str__(self):
        return f"{self.equipment_id} {self.minute:%Y-%m-%d %H:%M}: {self.produced}/{self.rejected}"


class OpcUaNode(models.Model):
    """One OPC UA variable that carries one of a machine's signals (``manage.py
    ingest_opcua`` subscribes to each)."""

    endpoint = models.CharField(
        _("server endpoint"), max_length=200, help_text=_("e.g. opc.tcp://plc-line1:4840")
    )
    node_id = models.CharField(
        _("node id"), max_length=200, help_text=_("e.g. ns=2;s=Line1.Filler.State")
    )
    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.CASCADE,
        related_name="opcua_nodes",
        verbose_name=_("equipment"),
    )
    kind = models.CharField(
        _("signal"),
        max_length=5,
        choices=SignalKind.choices,
        help_text=_(
            "state: a boolean (true running) or a number (0 stopped, 1 running, 2 fault); "
            "count: the counter's total; alarm: the active alarm's code (empty: none)."
        ),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["endpoint", "node_id"]
        verbose_name = _("OPC UA node")
        verbose_name_plural = _("OPC UA nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "node_id"], name="telemetry_opcua_node_once"
            )
        ]

    def __str__(self):
        return f"{self.node_id} → {self.equipment_id} {self.kind}"


class RejectedSignal(models.Model):
    """A posted signal that could not be stored, with why: counted and shown to the site's
    administrators, never a stop of the ingest."""

    gateway = models.ForeignKey(
        Gateway, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("gateway")
    )
    received_at = DateTimeField(_("received at"))
    reason = models.CharField(_("reason"), max_length=200)
    payload = models.TextField(_("payload"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_lookup = "gateway__site"

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("rejected signal")
        verbose_name_plural = _("rejected signals")
        indexes = [models.Index(fields=["-received_at"], name="telemetry_rejected_latest")]

    def __str__(self):
        return self.reason
