import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateTimeField, DecimalField, TextField
from logbook.core.models import Amendment
from logbook.core.querysets import SiteScopedQuerySet
from logbook.quality.choices import CharacteristicKind, Disposition, NCStatus, Severity, Verdict
from logbook.quality.spc import within_spec


class InspectionPlan(models.Model):
    """What to check on a product made on a line: its characteristics and their limits.

    Plans are versioned: changing a plan that inspections already used makes a new version
    (same ``family``, ``version`` + 1); the old inspections keep pointing at theirs.
    """

    family = models.UUIDField(_("plan family"), default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    product = models.CharField(_("product"), max_length=120)
    line = models.ForeignKey(
        "equipment.Line", models.PROTECT, related_name="inspection_plans", verbose_name=_("line")
    )
    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_plans",
        verbose_name=_("equipment"),
        help_text=_("For a check of one machine's output (on the plan's line); else empty."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = DateTimeField(_("created at"), auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"

    class Meta:
        ordering = ["product", "name", "-version"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.UniqueConstraint(
                fields=["family", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current_version",
            ),
        ]

    def __str__(self):
        return self.label_of(self.name, self.version)

    def get_absolute_url(self):
        return reverse("quality:inspectionplan_detail", args=[self.pk])

    @staticmethod
    def label_of(name, version) -> str:
        return f"{name} v{version}"

    def clean(self):
        if self.equipment_id and self.line_id and self.equipment.line_id != self.line_id:
            raise ValidationError({"equipment": _("This equipment is on another line.")})


class Characteristic(models.Model):
    """One thing checked: measured against limits (variable) or judged pass/fail (attribute)."""

    plan = models.ForeignKey(
        InspectionPlan, models.CASCADE, related_name="characteristics", verbose_name=_("plan")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=CharacteristicKind.choices,
        default=CharacteristicKind.VARIABLE,
    )
    nominal = DecimalField(_("nominal"), max_digits=18, decimal_places=6, null=True, blank=True)
    lsl = DecimalField(
        _("lower limit (LSL)"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    usl = DecimalField(
        _("upper limit (USL)"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=2, validators=[MaxValueValidator(6)]
    )
    defect_types = models.CharField(
        _("defect types"),
        max_length=300,
        blank=True,
        help_text=_("For pass/fail: the defects that can be chosen, separated by commas."),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "plan__line__area__site"

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")

    def __str__(self):
        return f"{self.name} ({self.plan})"

    def get_absolute_url(self):
        return reverse("quality:characteristic_spc", args=[self.pk])

    @property
    def defects(self) -> list[str]:
        return [item.strip() for item in self.defect_types.split(",") if item.strip()]

    def quantize(self, value: Decimal) -> Decimal:
        return Decimal(value).quantize(Decimal(1).scaleb(-self.decimals))

    def passes(self, value: Decimal) -> bool:
        return within_spec(self.quantize(value), self.lsl, self.usl)

    def clean(self):
        errors = {}
        if self.kind == CharacteristicKind.VARIABLE:
            if self.lsl is not None and self.usl is not None and self.lsl >= self.usl:
                errors["usl"] = _("The upper limit must be above the lower limit.")
            if self.nominal is not None and not within_spec(self.nominal, self.lsl, self.usl):
                errors["nominal"] = _("The nominal value lies between the limits.")
        elif any(v is not None for v in (self.lsl, self.usl, self.nominal)):
            errors["kind"] = _("A pass/fail characteristic has no limits.")
        if errors:
            raise ValidationError(errors)


class Inspection(models.Model):
    """A check of a sample against one version of a plan; the verdict is computed at saving."""

    plan = models.ForeignKey(
        InspectionPlan, models.PROTECT, related_name="inspections", verbose_name=_("plan (version)")
    )
    line = models.ForeignKey(
        "equipment.Line", models.PROTECT, related_name="inspections", verbose_name=_("line")
    )
    shift = models.ForeignKey(
        "shifts.Shift",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("shift"),
    )
    batch = models.CharField(_("batch / lot"), max_length=60)
    sample = models.CharField(_("sample"), max_length=60, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    inspected_at = DateTimeField(_("inspected at"), default=timezone.now, db_index=True)
    verdict = models.CharField(_("verdict"), max_length=4, choices=Verdict.choices, editable=False)
    signature = models.OneToOneField(
        "accounts.Signature",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="inspection",
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"
    audit_children = [("quality.Measurement", "inspection")]

    class Meta:
        ordering = ["-inspected_at", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        # First-pass yield looks up the earlier inspections of the same unit (reports).
        indexes = [
            models.Index(
                fields=["line", "batch", "sample", "inspected_at"], name="quality_insp_unit"
            )
        ]

    def __str__(self):
        when = timezone.localtime(self.inspected_at)
        return f"{self.plan.product} {self.batch} {when:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("quality:inspection_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """An inspection is recorded once, its verdict computed then: it is never edited."""
        return self.pk is not None


class Measurement(models.Model):
    """One characteristic of one inspection: the value measured, or pass/fail and the defect."""

    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="measurements", verbose_name=_("inspection")
    )
    characteristic = models.ForeignKey(
        Characteristic,
        models.PROTECT,
        related_name="measurements",
        verbose_name=_("characteristic"),
    )
    value = DecimalField(_("value"), max_digits=18, decimal_places=6, null=True, blank=True)
    passed = models.BooleanField(_("passed"))
    defect = models.CharField(_("defect"), max_length=80, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "inspection__line__area__site"

    class Meta:
        ordering = ["inspection", "characteristic__order", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "characteristic"], name="%(app_label)s_%(class)s_unique"
            )
        ]
        indexes = [models.Index(fields=["characteristic", "inspection"])]

    def __str__(self):
        return (
            f"{self.characteristic.name}: {self.value if self.value is not None else self.passed}"
        )

    @property
    def is_locked(self) -> bool:
        return self.pk is not None


class Nonconformance(models.Model):
    """Product that did not meet its specification, tracked to a disposition and closed."""

    inspection = models.ForeignKey(
        Inspection,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
        verbose_name=_("inspection"),
    )
    line = models.ForeignKey(
        "equipment.Line", models.PROTECT, related_name="nonconformances", verbose_name=_("line")
    )
    title = models.CharField(_("title"), max_length=160)
    description = TextField(_("what failed"), blank=True)
    batch = models.CharField(_("batch / lot"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("quantity affected"), null=True, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    status = models.CharField(
        _("status"), max_length=14, choices=NCStatus.choices, default=NCStatus.OPEN, editable=False
    )
    containment = TextField(_("containment"), blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, blank=True
    )
    root_cause = TextField(_("root cause"), blank=True)
    corrective_action = TextField(_("corrective action"), blank=True)
    preventive_action = TextField(_("preventive action"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
        editable=False,
    )
    raised_at = DateTimeField(_("raised at"), auto_now_add=True)
    signature = models.OneToOneField(
        "accounts.Signature",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="nonconformance",
        verbose_name=_("closing sign-off"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"
    audit_children = [("quality.NonconformanceAmendment", "nonconformance")]

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("nonconformance")
        verbose_name_plural = _("nonconformances")
        permissions = [("close_nonconformance", _("Can disposition and close nonconformances"))]
        indexes = [models.Index(fields=["raised_at", "id"], name="quality_nc_raised_order")]

    def __str__(self):
        return f"NC-{self.pk:05d} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("quality:nonconformance_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"NC-{self.pk:05d}"

    @property
    def is_locked(self) -> bool:
        return self.status == NCStatus.CLOSED


class NonconformanceAmendment(Amendment):
    """A correction to a closed nonconformance, kept beside it: the record itself never changes."""

    nonconformance = models.ForeignKey(
        Nonconformance, models.PROTECT, related_name="amendments", verbose_name=_("nonconformance")
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "nonconformance__line__area__site"

    class Meta(Amendment.Meta):
        verbose_name = _("nonconformance amendment")
        verbose_name_plural = _("nonconformance amendments")
