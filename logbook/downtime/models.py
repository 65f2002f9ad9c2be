import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateTimeField, TextField
from logbook.core.querysets import SiteScopedQuerySet, superseded
from logbook.core.validators import PHOTO_TYPES, validate_photo
from logbook.downtime.choices import FailureCodeList, IncidentSource, IncidentState, ReasonKind
from logbook.shifts.clock import duration_minutes


class ReasonCode(models.Model):
    """Why equipment stood still: a tree of planned/unplanned categories and their reasons."""

    # One catalogue for every site: anyone may read its audit trail.
    shared_by_sites = True

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ReasonKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("category"),
        help_text=_("Empty for a category; the category for a reason."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self):
        return f"{self.code} – {self.name}"

    def get_absolute_url(self):
        return reverse("downtime:incident_list") + f"?reason_id={self.pk}"

    def clean(self):
        if self.parent_id is None:
            return
        if self.parent_id == self.pk or self.parent.parent_id is not None:
            raise ValidationError({"parent": _("A reason belongs to a category, not to a reason.")})
        if self.parent.kind != self.kind:
            raise ValidationError(
                {
                    "kind": _("A reason is %(kind)s like its category.")
                    % {"kind": self.parent.get_kind_display().lower()}
                }
            )


class FailureCode(models.Model):
    """One entry of an ISO 14224 pick list: a failure mode, mechanism, cause or detection method."""

    # One catalogue for every site: anyone may read its audit trail.
    shared_by_sites = True

    list = models.CharField(_("list"), max_length=10, choices=FailureCodeList.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["list", "code"]
        verbose_name = _("failure code")
        verbose_name_plural = _("failure codes")
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="%(app_label)s_%(class)s_unique")
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"


class IncidentQuerySet(SiteScopedQuerySet):
    def current(self):
        """The versions in force: incidents no amendment has replaced."""
        return self.exclude(pk__in=superseded(self.model))

    def open(self):
        return self.filter(ended_at__isnull=True)

    def overlapping(self, start, end):
        """Incidents that were down at some moment of [start, end); an open one runs until now."""
        return self.filter(started_at__lt=end).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=start)
        )


def _failure_code(list_name, verbose):
    return models.ForeignKey(
        FailureCode,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose,
        help_text=FAILURE_CODE_HELP[list_name],
    )


# What each ISO 14224 list asks, in the words of the floor (the label already names the list).
FAILURE_CODE_HELP = {
    FailureCodeList.MODE: _("How the failure showed itself: fails to start, leaks, noise…"),
    FailureCodeList.MECHANISM: _("What happened in the part: wear, corrosion, fatigue…"),
    FailureCodeList.CAUSE: _("Why it happened: operation, maintenance, design…"),
    FailureCodeList.DETECTION: _("How it was found: by the operator, on a PM round, on demand…"),
}


CODING_LISTS = {
    "failure_mode": FailureCodeList.MODE,
    "failure_mechanism": FailureCodeList.MECHANISM,
    "failure_cause": FailureCodeList.CAUSE,
    "detection_method": FailureCodeList.DETECTION,
}


def incident_state(ended_at, closed_at) -> str:
    """Open while the machine is down, ended once it runs again, closed once reviewed."""
    if ended_at is None:
        return IncidentState.OPEN
    if closed_at is None:
        return IncidentState.ENDED
    return IncidentState.CLOSED


class DowntimeIncident(models.Model):
    """A stop of one piece of equipment: when it stopped, was attended, repaired and ran again,
    and why. An unplanned incident is a failure (MTBF/MTTR count it)."""

    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        related_name="downtime_incidents",
        verbose_name=_("equipment"),
    )
    started_at = DateTimeField(_("stopped at"), default=timezone.now)
    responded_at = DateTimeField(_("technician on site"), null=True, blank=True)
    repaired_at = DateTimeField(_("repair finished"), null=True, blank=True)
    ended_at = DateTimeField(_("running again"), null=True, blank=True)
    reason = models.ForeignKey(
        ReasonCode,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("reason"),
    )
    symptom = TextField(_("symptom"), blank=True, help_text=_("What was seen or heard."))
    cause = TextField(_("cause"), blank=True)
    action_taken = TextField(_("action taken"), blank=True)
    failure_mode = _failure_code(FailureCodeList.MODE, _("failure mode"))
    failure_mechanism = _failure_code(FailureCodeList.MECHANISM, _("failure mechanism"))
    failure_cause = _failure_code(FailureCodeList.CAUSE, _("failure cause"))
    detection_method = _failure_code(FailureCodeList.DETECTION, _("detection method"))
    photo = models.FileField(
        _("photo"),
        upload_to="downtime/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(PHOTO_TYPES), validate_photo],
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    closed_at = DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=IncidentSource.choices, default=IncidentSource.MANUAL
    )
    # The machine's own times (its signals), kept beside the stages a person may set or amend.
    machine_started_at = DateTimeField(
        _("stopped at (machine)"), null=True, blank=True, editable=False
    )
    machine_ended_at = DateTimeField(
        _("running again (machine)"), null=True, blank=True, editable=False
    )
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        blank=True,
        help_text=_("The record's key in the system it was imported from."),
    )
    amends = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
        verbose_name=_("amends"),
    )
    amend_reason = TextField(_("reason for the amendment"), blank=True)
    created_at = DateTimeField(_("recorded at"), auto_now_add=True)
    # Reported on a tablet without a connection at this moment, received at created_at.
    recorded_offline_at = DateTimeField(_("recorded offline at"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["-started_at"]
        permissions = [("amend_downtimeincident", _("Can amend closed incidents"))]
        verbose_name = _("downtime incident")
        verbose_name_plural = _("downtime incidents")
        indexes = [
            models.Index(fields=["equipment", "started_at"]),
            models.Index(fields=["started_at"]),
            # Ended but not classified yet: a handful among years of incidents.
            models.Index(
                fields=["ended_at"],
                condition=Q(ended_at__isnull=False, closed_at__isnull=True),
                name="downtime_incident_to_classify",
            ),
        ]
        constraints = [
            # One open incident per equipment, whoever tries to open a second one at once.
            models.UniqueConstraint(
                fields=["equipment"],
                condition=Q(ended_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_equipment",
                violation_error_message=_("This equipment already has an open incident."),
            ),
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=~Q(external_ref=""),
                name="%(app_label)s_%(class)s_unique_external_ref",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_response_after_start",
            ),
            models.CheckConstraint(
                condition=Q(repaired_at__isnull=True) | Q(repaired_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_repair_after_start",
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.started_at)
        return _("%(machine)s down %(when)s") % {
            "machine": self.equipment.asset_tag,
            "when": f"{when:%Y-%m-%d %H:%M}",
        }

    def get_absolute_url(self):
        return reverse("downtime:incident_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """A closed incident changes only by amendment."""
        return self.closed_at is not None

    @property
    def state(self) -> str:
        return incident_state(self.ended_at, self.closed_at)

    def get_state_display(self) -> str:
        return IncidentState(self.state).label

    @property
    def is_planned(self) -> bool | None:
        """True, False, or None while unclassified."""
        return None if self.reason_id is None else self.reason.kind == ReasonKind.PLANNED

    @property
    def duration_minutes(self) -> int | None:
        """Whole minutes from stop to running again (None while still down)."""
        if self.ended_at is None:
            return None
        return duration_minutes(self.started_at, self.ended_at)

    @property
    def next_stage(self) -> str | None:
        """The restoration stage to record next, in order: on site, repaired, running again
        (None once running). A machine may restart before either, so "ended" is always open."""
        if self.ended_at is not None:
            return None
        if self.responded_at is None and self.repaired_at is None:
            return "responded"
        if self.repaired_at is None:
            return "repaired"
        return "ended"

    def stage_minutes(self) -> dict:
        """Response, repair and restart minutes, where both ends of a stage are known."""
        stages = [
            ("response", self.started_at, self.responded_at),
            ("repair", self.responded_at or self.started_at, self.repaired_at),
            ("restart", self.repaired_at, self.ended_at),
        ]
        return {
            name: duration_minutes(start, end) if start and end else None
            for name, start, end in stages
        }

    def clean(self):
        errors = {}
        now = timezone.now() + settings.CLOCK_SKEW
        order = [
            ("started_at", self.started_at),
            ("responded_at", self.responded_at),
            ("repaired_at", self.repaired_at),
            ("ended_at", self.ended_at),
        ]
        for name, value in order:
            if value is not None and value > now:
                errors[name] = _("This time is in the future.")
        known = [(name, value) for name, value in order if value is not None]
        for (before_name, before), (name, value) in itertools.pairwise(known):
            if value < before and name not in errors:
                errors[name] = _("This cannot be before “%(other)s”.") % {
                    "other": self._meta.get_field(before_name).verbose_name
                }
        for name, list_name in CODING_LISTS.items():
            code = getattr(self, name)
            if code is not None and code.list != list_name:
                errors[name] = _("%(code)s is not a %(list)s.") % {
                    "code": code,
                    "list": FailureCodeList(list_name).label.lower(),
                }
        if self.amends_id is not None and not self.amend_reason.strip():
            errors["amend_reason"] = _("Say why the record is amended.")
        if errors:
            raise ValidationError(errors)
