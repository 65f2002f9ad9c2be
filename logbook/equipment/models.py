from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateField, DateTimeField, DecimalField, TextField
from logbook.core.querysets import SiteScopedManager
from logbook.core.validators import validate_timezone
from logbook.equipment.choices import Criticality, EquipmentStatus

# Readings from a tablet whose clock runs a little fast are not "in the future".
CLOCK_SKEW = timezone.timedelta(minutes=5)


def _plain(value: Decimal) -> str:
    """1250.00 → "1250", 31865.30 → "31865.3": a meter value as a person would write it."""
    return format(Decimal(value).normalize(), "f")


class Site(models.Model):
    """A plant: the unit a user belongs to, with the time zone its people work in."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA name, e.g. Europe/Berlin: times on this site's pages are shown in it."),
    )

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = ""

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return f"{self.code} – {self.name}"

    def get_absolute_url(self):
        return reverse("equipment:site_detail", args=[self.pk])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Area(models.Model):
    """A part of a site (a hall, a building, a department) that holds production lines."""

    site = models.ForeignKey(Site, models.PROTECT, related_name="areas", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = "site"

    class Meta:
        ordering = ["site__code", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"], name="%(app_label)s_%(class)s_unique_name_per_site"
            )
        ]

    def __str__(self):
        return f"{self.site.code} › {self.name}"

    def get_absolute_url(self):
        return reverse("equipment:area_detail", args=[self.pk])


class Line(models.Model):
    """A production line: the equipment that makes one product flow, run in shifts."""

    area = models.ForeignKey(Area, models.PROTECT, related_name="lines", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20)
    oee_target = DecimalField(
        _("OEE target (%)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("85.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("Drawn as the target line of the line's OEE trend."),
    )

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = "area__site"

    class Meta:
        ordering = ["area__site__code", "code"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"], name="%(app_label)s_%(class)s_unique_code_per_area"
            )
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def get_absolute_url(self):
        return reverse("equipment:line_detail", args=[self.pk])

    @property
    def site(self) -> Site:
        return self.area.site


class EquipmentClass(models.Model):
    """A kind of equipment (filler, capper, compressor): what certifications and PM plans name."""

    # One catalogue for every site: anyone may read its audit trail.
    shared_by_sites = True

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = TextField(_("description"), blank=True)
    min_stop_seconds = models.PositiveIntegerField(
        _("shortest stop recorded as an incident (s)"),
        default=120,
        help_text=_(
            "A machine's own stop shorter than this is a micro-stop: counted as a speed loss, "
            "not opened as a downtime incident."
        ),
    )
    heartbeat_seconds = models.PositiveIntegerField(
        _("signal heartbeat (s)"),
        default=300,
        help_text=_("A machine that sends nothing for this long shows as “no signal”."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("equipment class")
        verbose_name_plural = _("equipment classes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("equipment:equipmentclass_detail", args=[self.pk])


class Equipment(models.Model):
    """A machine or a component of one, identified on the floor by its asset tag (and QR code)."""

    asset_tag = models.CharField(_("asset tag"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    line = models.ForeignKey(Line, models.PROTECT, related_name="equipment", verbose_name=_("line"))
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
        verbose_name=_("part of"),
        help_text=_("The machine this is a component of, if any."),
    )
    equipment_class = models.ForeignKey(
        EquipmentClass, models.PROTECT, related_name="equipment", verbose_name=_("class")
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=1, choices=Criticality.choices, default=Criticality.B
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.RUNNING
    )
    commissioned_on = DateField(_("commissioned on"), null=True, blank=True)
    counts_line_output = models.BooleanField(
        _("counts the line's output"),
        default=False,
        help_text=_(
            "Its counter signals are what the line produced: shown on each shift beside the "
            "counts typed."
        ),
    )

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"

    class Meta:
        ordering = ["asset_tag"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="%(app_label)s_%(class)s_not_own_parent"
            )
        ]
        indexes = [
            # The home pages count a site's machines by status from this index alone.
            models.Index(fields=["line", "status"], name="equipment_line_status"),
            # The register sorted by name (a column people sort by): page 40 of 20,000 machines
            # read off it instead of sorting them all (bench/: SQLite's query 31 → 2 ms).
            models.Index(fields=["name", "id"], name="equipment_name_order"),
        ]

    def __str__(self):
        return f"{self.asset_tag} – {self.name}"

    def get_absolute_url(self):
        return reverse("equipment:equipment_detail", args=[self.pk])

    def get_card_url(self):
        """The floor card: what the machine's QR label opens."""
        return reverse("equipment:equipment_card", args=[self.pk])

    @property
    def site(self) -> Site:
        return self.line.area.site

    def ancestors(self) -> list["Equipment"]:
        """Return the machines this is part of, nearest first (one query per level)."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def clean(self):
        errors = {}
        if self.parent_id is not None and self.line_id is not None:
            if self.pk is not None and self.parent_id == self.pk:
                errors["parent"] = _("Equipment cannot be a component of itself.")
            elif self.pk is not None and any(a.pk == self.pk for a in self.parent.ancestors()):
                errors["parent"] = _(
                    "%(parent)s is a component of %(this)s: it cannot also be its parent."
                ) % {"parent": self.parent.asset_tag, "this": self.asset_tag}
            elif self.parent.line.area.site_id != self.line.area.site_id:
                errors["parent"] = _(
                    "%(parent)s is on site %(other)s; a component must be on the same site."
                ) % {"parent": self.parent.asset_tag, "other": self.parent.line.area.site.code}
        if self.pk is not None and self.line_id is not None:
            away = (
                Equipment.objects.filter(parent_id=self.pk)
                .exclude(line__area__site_id=self.line.area.site_id)
                .values_list("asset_tag", flat=True)
            )
            if away:
                errors["line"] = _(
                    "Its components %(tags)s are on another site; move them first."
                ) % {"tags": ", ".join(away)}
        if errors:
            raise ValidationError(errors)


class StatusCount(models.Model):
    """How many machines a line has in each recorded status, kept by the database itself:
    triggers on the machines' table (migration 0010) add and take away one on every insert,
    delete and change of line or status, whichever path writes (pages, admin, API, imports,
    bulk updates, SQL). The home pages' status tiles read a site's few hundred of these rows
    instead of counting its 20,000 machines. Derived data: the app never writes it."""

    line_id = models.BigIntegerField(_("line"))
    status = models.CharField(_("status"), max_length=20, choices=EquipmentStatus.choices)
    n = models.IntegerField(_("machines"), default=0)

    class Meta:
        verbose_name = _("machines by status")
        verbose_name_plural = _("machines by status")
        constraints = [
            models.UniqueConstraint(fields=["line_id", "status"], name="equipment_status_count_key")
        ]

    def __str__(self):
        return f"{self.line_id} · {self.status}: {self.n}"


class Meter(models.Model):
    """A counter on a piece of equipment (run hours, cycles) that maintenance is planned on."""

    equipment = models.ForeignKey(
        Equipment, models.PROTECT, related_name="meters", verbose_name=_("equipment")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. Run hours, Cycles"))
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. h, cycles"))
    resets = models.BooleanField(
        _("resets"),
        default=False,
        help_text=_(
            "Tick if the counter can go back to zero; otherwise a lower reading is refused."
        ),
    )

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["equipment__asset_tag", "name"]
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.equipment.asset_tag} · {self.name}"

    def get_absolute_url(self):
        return reverse("equipment:meter_detail", args=[self.pk])


class MeterReading(models.Model):
    """A value read off a meter at a moment, by someone. Record it with ``meter_reading_record``."""

    meter = models.ForeignKey(
        Meter, models.PROTECT, related_name="readings", verbose_name=_("meter")
    )
    value = DecimalField(_("value"), max_digits=14, decimal_places=2)
    taken_at = DateTimeField(_("taken at"), default=timezone.now, db_index=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="meter_readings",
        verbose_name=_("taken by"),
    )

    objects = SiteScopedManager()
    history = HistoricalRecords()
    site_lookup = "meter__equipment__line__area__site"

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"
            )
        ]
        indexes = [models.Index(fields=["meter", "-taken_at"])]

    def __str__(self):
        return f"{self.meter}: {self.value} {self.meter.unit}"

    def get_absolute_url(self):
        return self.meter.get_absolute_url()

    def clean(self):
        if self.taken_at and self.taken_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError({"taken_at": _("A reading cannot be taken in the future.")})
        if self.meter_id is None or self.value is None or self.taken_at is None:
            return
        if self.meter.resets:
            return
        # A counter that does not reset only goes up: the value must lie between the readings
        # taken just before and just after it (a late entry may be slotted in between).
        others = self.meter.readings.exclude(pk=self.pk)
        before = others.filter(taken_at__lte=self.taken_at).order_by("-taken_at").first()
        after = others.filter(taken_at__gt=self.taken_at).order_by("taken_at").first()
        zone = self.meter.equipment.line.area.site.zone
        if before is not None and self.value < before.value:
            raise ValidationError(
                {
                    "value": _(
                        "%(value)s %(unit)s is lower than the last reading, %(last)s %(unit)s "
                        "taken %(when)s. This meter does not reset: check the value."
                    )
                    % {
                        "value": _plain(self.value),
                        "unit": self.meter.unit,
                        "last": _plain(before.value),
                        "when": date_format(before.taken_at.astimezone(zone), "DATETIME_FORMAT"),
                    }
                }
            )
        if after is not None and self.value > after.value:
            raise ValidationError(
                {
                    "value": _(
                        "%(value)s %(unit)s is higher than the later reading, %(next)s %(unit)s "
                        "taken %(when)s. This meter does not reset: check the value and time."
                    )
                    % {
                        "value": _plain(self.value),
                        "unit": self.meter.unit,
                        "next": _plain(after.value),
                        "when": date_format(after.taken_at.astimezone(zone), "DATETIME_FORMAT"),
                    }
                }
            )


class EquipmentEvent(models.Model):
    """Something a machine reported: an alarm, a warning, an error code.

    Posted by the machine through the API or its signals (an ``alarm`` signal, linked to the
    incident it fell in), or imported from its history; shown on its page.
    """

    equipment = models.ForeignKey(
        Equipment, models.PROTECT, related_name="events", verbose_name=_("equipment")
    )
    occurred_at = DateTimeField(_("time"))
    code = models.CharField(_("code"), max_length=40)
    message = models.CharField(_("message"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, default="api")
    incident = models.ForeignKey(
        "downtime.DowntimeIncident",
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="events",
        verbose_name=_("during incident"),
        help_text=_("The downtime incident the machine was in when it reported this."),
    )

    objects = SiteScopedManager()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("equipment event")
        verbose_name_plural = _("equipment events")
        indexes = [
            models.Index(fields=["equipment", "-occurred_at"]),
            models.Index(fields=["occurred_at", "id"], name="equipment_event_occurred_order"),
        ]
        constraints = [
            # The same alarm at the same moment is one event, however often it is sent.
            models.UniqueConstraint(
                fields=["equipment", "occurred_at", "code"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self):
        return f"{self.equipment.asset_tag} {self.code}"

    def get_absolute_url(self):
        return self.equipment.get_absolute_url()
