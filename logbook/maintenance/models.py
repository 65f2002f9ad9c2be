import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.accounts.models import check_person_on_site
from logbook.core.fields import DateField, DateTimeField, DecimalField, TextField
from logbook.core.models import Amendment
from logbook.core.querysets import SiteScopedQuerySet
from logbook.maintenance.choices import (
    ACTIVE_STATUSES,
    OPEN_WORK,
    Anchor,
    IntervalUnit,
    ItemKind,
    Priority,
    WorkOrderKind,
    WorkOrderStatus,
)


class SparePart(models.Model):
    """A part kept in the stores; using it on a work order takes it out of stock."""

    # One catalogue for every site: anyone may read its audit trail.
    shared_by_sites = True

    part_number = models.CharField(_("part number"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    stock = DecimalField(
        _("stock on hand"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    reorder_point = DecimalField(
        _("reorder point"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    location = models.CharField(_("location"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["part_number"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="%(app_label)s_%(class)s_stock_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.part_number} – {self.description}"

    def get_absolute_url(self):
        return reverse("maintenance:sparepart_edit", args=[self.pk])

    @property
    def needs_reorder(self) -> bool:
        return self.stock <= self.reorder_point


def every_calendar_interval(n: int, unit: str) -> str:
    """ "Every day", "every 2 weeks": in each language's plural forms (a whole number)."""
    if n == 1:
        return {
            IntervalUnit.DAYS: gettext("every day"),
            IntervalUnit.WEEKS: gettext("every week"),
            IntervalUnit.MONTHS: gettext("every month"),
        }[unit]
    forms = {
        IntervalUnit.DAYS: ngettext("every %(n)s day", "every %(n)s days", n),
        IntervalUnit.WEEKS: ngettext("every %(n)s week", "every %(n)s weeks", n),
        IntervalUnit.MONTHS: ngettext("every %(n)s month", "every %(n)s months", n),
    }
    return forms[unit] % {"n": n}


class MaintenanceSchedule(models.Model):
    """Routine care of one equipment, every N days/weeks/months or every N units of a meter."""

    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        related_name="schedules",
        verbose_name=_("equipment"),
    )
    title = models.CharField(_("title"), max_length=120)
    interval = DecimalField(
        _("every"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    interval_unit = models.CharField(_("unit"), max_length=10, choices=IntervalUnit.choices)
    meter = models.ForeignKey(
        "equipment.Meter",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("meter"),
        help_text=_("For a schedule by meter: which meter counts."),
    )
    anchor = models.CharField(
        _("count from"), max_length=10, choices=Anchor.choices, default=Anchor.FLOATING
    )
    anchor_date = DateField(
        _("first due / anchor date"),
        default=timezone.localdate,
        help_text=_("The first due date; for a fixed series, the date the series counts from."),
    )
    tolerance_days = models.PositiveIntegerField(
        _("tolerance (days)"),
        default=0,
        help_text=_("How many days early or late still count as on time."),
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=30)
    lockout_required = models.BooleanField(_("lockout/tagout required"), default=False)
    energy_sources = TextField(
        _("energy sources to isolate"),
        blank=True,
        help_text=_(
            "One per line, e.g. “Main switch MCC-3”, “Compressed air valve V12”: each gets a lock."
        ),
    )
    required_class = models.ForeignKey(
        "equipment.EquipmentClass",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certification required"),
        help_text=_("Only people certified for this class may complete the work."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    active = models.BooleanField(_("active"), default=True)
    next_due = DateField(_("next due"), null=True, blank=True, editable=False)
    last_done_on = DateField(_("last done"), null=True, blank=True, editable=False)
    last_done_value = DecimalField(
        _("meter at last completion"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["next_due", "equipment__asset_tag", "title"]
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")
        # The plan's order: the soonest due first (ties sorted among themselves).
        indexes = [models.Index(fields=["next_due"], name="maintenance_schedule_due_order")]

    def __str__(self):
        return f"{self.equipment.asset_tag}: {self.title}"

    def get_absolute_url(self):
        return reverse("maintenance:schedule_detail", args=[self.pk])

    @property
    def interval_label(self) -> str:
        count = f"{self.interval.normalize():f}"
        if self.interval_unit == IntervalUnit.METER:
            unit = self.meter.unit if self.meter_id else self.get_interval_unit_display()
            return _("every %(n)s %(unit)s") % {"n": count, "unit": unit}
        return every_calendar_interval(int(self.interval), self.interval_unit)

    def clean(self):
        errors = {}
        if self.interval_unit == IntervalUnit.METER:
            if self.meter_id is None:
                errors["meter"] = _("A schedule by meter needs its meter.")
            elif self.equipment_id and self.meter.equipment_id != self.equipment_id:
                errors["meter"] = _("This meter belongs to another equipment.")
        else:
            if self.meter_id is not None:
                errors["meter"] = _("Only a schedule by meter names a meter.")
            if self.interval is not None and self.interval != int(self.interval):
                errors["interval"] = _("A calendar interval is a whole number.")
        if errors:
            raise ValidationError(errors)


class ChecklistItem(models.Model):
    """One step of a schedule's checklist: a check, a measured value with limits, or a note."""

    schedule = models.ForeignKey(
        MaintenanceSchedule, models.CASCADE, related_name="checklist", verbose_name=_("schedule")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("item"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.CHECK
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    lower_limit = DecimalField(
        _("lower limit"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    upper_limit = DecimalField(
        _("upper limit"), max_digits=12, decimal_places=3, null=True, blank=True
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "schedule__equipment__line__area__site"

    class Meta:
        ordering = ["schedule", "order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.text

    def clean(self):
        if self.kind != ItemKind.MEASURE and (
            self.lower_limit is not None or self.upper_limit is not None
        ):
            raise ValidationError(_("Only a measured value has limits."))
        if (
            self.lower_limit is not None
            and self.upper_limit is not None
            and self.lower_limit > self.upper_limit
        ):
            raise ValidationError({"upper_limit": _("The upper limit is below the lower one.")})


class WorkOrderQuerySet(SiteScopedQuerySet):
    def active(self):
        return self.in_statuses(ACTIVE_STATUSES)

    def in_statuses(self, statuses):
        """Orders in some of the open-work statuses, said so that the open-work index (a few
        hundred orders among years of verified ones) answers it on every database."""
        if not set(statuses) <= set(OPEN_WORK):
            return self.filter(status__in=statuses)
        open_work = self.filter(status__in_written=OPEN_WORK)
        if set(statuses) == set(OPEN_WORK):
            return open_work
        return open_work.filter(status__in_written=statuses)


class WorkOrder(models.Model):
    """Work to do on one equipment: preventive (from a schedule) or corrective (a repair).

    Its status moves open → in progress → done → verified (or cancelled), only through
    ``maintenance.services``; once verified it never changes.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=WorkOrderKind.choices)
    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        related_name="work_orders",
        verbose_name=_("equipment"),
    )
    schedule = models.ForeignKey(
        MaintenanceSchedule,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("schedule"),
    )
    downtime_incident = models.ForeignKey(
        "downtime.DowntimeIncident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("downtime incident"),
    )
    log_entry = models.ForeignKey(
        "shifts.LogEntry",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("log entry"),
    )
    title = models.CharField(_("title"), max_length=160)
    description = TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    due_at = DateTimeField(_("due"))
    tolerance_days = models.PositiveIntegerField(_("tolerance (days)"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_work_orders",
        verbose_name=_("assigned to"),
    )
    lockout_required = models.BooleanField(_("lockout/tagout required"), default=False)
    lockout_confirmed_at = DateTimeField(
        _("isolation confirmed at"), null=True, blank=True, editable=False
    )
    lockout_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("isolation confirmed by"),
    )
    startup_checked_at = DateTimeField(
        _("start-up check at"), null=True, blank=True, editable=False
    )
    startup_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("start-up check by"),
    )
    startup_note = TextField(_("start-up check"), blank=True)
    findings = TextField(_("findings"), blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), null=True, blank=True)
    started_at = DateTimeField(_("started at"), null=True, blank=True, editable=False)
    completed_at = DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("completed by"),
    )
    signature = models.OneToOneField(
        "accounts.Signature",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="work_order",
        verbose_name=_("verification"),
    )
    cancel_reason = TextField(_("reason for cancelling"), blank=True)
    return_reason = TextField(
        _("sent back because"), blank=True, help_text=_("Why the supervisor sent it back.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("raised by"),
    )
    created_at = DateTimeField(_("raised at"), auto_now_add=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)

    objects = WorkOrderQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"
    audit_children = [
        ("maintenance.ChecklistResult", "work_order"),
        ("maintenance.IsolationPoint", "work_order"),
        ("maintenance.PartUsage", "work_order"),
        ("maintenance.WorkOrderAmendment", "work_order"),
    ]

    class Meta:
        ordering = ["due_at", "-priority", "pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [
            ("verify_workorder", _("Can verify work orders")),
            ("plan_workorder", _("Can plan work orders: due date, assignee, cancelling")),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # "My work": a person's active orders, and the unassigned ones (assigned_to NULL).
            models.Index(fields=["assigned_to", "status"], name="maintenance_wo_assignee"),
            # The lists' order: a page of a big table is read off the index, not sorted.
            models.Index(fields=["due_at", "-priority", "id"], name="maintenance_wo_due_order"),
            # The list's default view, the open work: a few hundred orders among years of
            # verified ones, read in the list's order without walking the closed history.
            models.Index(
                fields=["due_at", "-priority", "id"],
                condition=Q(status__in=OPEN_WORK),
                name="maintenance_wo_open_due_order",
            ),
        ]
        constraints = [
            # The generator may run on two app servers at once: the database refuses the twin.
            models.UniqueConstraint(
                fields=["schedule", "due_at"], name="%(app_label)s_%(class)s_one_per_due_date"
            ),
            models.UniqueConstraint(
                fields=["schedule"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="%(app_label)s_%(class)s_one_active_per_schedule",
            ),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="%(app_label)s_%(class)s_unique_external_ref",
            ),
            models.CheckConstraint(
                condition=Q(kind=WorkOrderKind.CORRECTIVE) | Q(schedule__isnull=False),
                name="%(app_label)s_%(class)s_preventive_has_schedule",
            ),
        ]

    def __str__(self):
        return f"WO-{self.pk:05d} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("maintenance:workorder_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return self.number_of(self.pk)

    @staticmethod
    def number_of(pk) -> str:
        return f"WO-{pk:05d}"

    @property
    def due_date(self) -> datetime.date:
        return timezone.localtime(self.due_at, self.equipment.line.area.site.zone).date()

    @property
    def is_overdue(self) -> bool:
        if self.status not in ACTIVE_STATUSES:
            return False
        today = timezone.localdate(timezone=self.equipment.line.area.site.zone)
        return today > self.due_date + datetime.timedelta(days=self.tolerance_days)

    @property
    def is_locked(self) -> bool:
        return self.status in (WorkOrderStatus.VERIFIED, WorkOrderStatus.CANCELLED)

    def clean(self):
        if self.assigned_to_id and self.equipment_id:
            check_person_on_site(self.assigned_to, self.equipment.line.area.site, "assigned_to")


class ChecklistResult(models.Model):
    """One checklist step on one work order, copied from the schedule when the order was made
    (a later change to the schedule does not rewrite work already done)."""

    work_order = models.ForeignKey(
        WorkOrder, models.CASCADE, related_name="checklist", verbose_name=_("work order")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    lower_limit = DecimalField(
        _("lower limit"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    upper_limit = DecimalField(
        _("upper limit"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    done = models.BooleanField(_("done"), null=True, blank=True)
    value = DecimalField(_("value"), max_digits=12, decimal_places=3, null=True, blank=True)
    note = TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "work_order__equipment__line__area__site"

    class Meta:
        ordering = ["work_order", "order", "pk"]
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")

    def __str__(self):
        return self.text

    @property
    def is_locked(self) -> bool:
        return self.work_order.is_locked

    @property
    def out_of_limits(self) -> bool:
        if self.kind != ItemKind.MEASURE or self.value is None:
            return False
        return (self.lower_limit is not None and self.value < self.lower_limit) or (
            self.upper_limit is not None and self.value > self.upper_limit
        )


class IsolationPoint(models.Model):
    """One energy source isolated for a work order: the lock and tag put on it, by whom and
    when, and their removal. A machine with a lock on is locked out."""

    work_order = models.ForeignKey(
        WorkOrder, models.PROTECT, related_name="isolation_points", verbose_name=_("work order")
    )
    source = models.CharField(_("energy source"), max_length=120)
    lock_number = models.CharField(_("lock no."), max_length=40)
    tag_number = models.CharField(_("tag no."), max_length=40, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("applied by")
    )
    applied_at = DateTimeField(_("applied at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removed_at = DateTimeField(_("removed at"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "work_order__equipment__line__area__site"

    class Meta:
        ordering = ["applied_at", "pk"]
        verbose_name = _("isolation point")
        verbose_name_plural = _("isolation points")
        indexes = [
            # The locks on right now: few among years of removed ones.
            models.Index(
                fields=["work_order", "applied_at"],
                condition=Q(removed_at__isnull=True),
                name="maintenance_isolation_on",
            ),
            # The API's newest first, over every lock ever put on.
            models.Index(fields=["applied_at", "id"], name="maintenance_isolation_applied"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="%(app_label)s_%(class)s_removal_has_who_and_when",
            ),
        ]

    def __str__(self):
        return f"{self.source}: {self.lock_number}"

    @property
    def is_locked(self) -> bool:
        return self.work_order.is_locked


class PartUsage(models.Model):
    """Spare parts used on a work order (taken out of stock in the same transaction)."""

    work_order = models.ForeignKey(
        WorkOrder, models.PROTECT, related_name="parts_used", verbose_name=_("work order")
    )
    part = models.ForeignKey(
        SparePart, models.PROTECT, related_name="usages", verbose_name=_("part")
    )
    quantity = DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("used by")
    )
    used_at = DateTimeField(_("used at"), auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "work_order__equipment__line__area__site"

    class Meta:
        ordering = ["used_at", "pk"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.quantity} × {self.part.part_number}"

    @property
    def is_locked(self) -> bool:
        return self.work_order.is_locked


class WorkOrderAmendment(Amendment):
    """A correction to a verified work order: the order itself never changes."""

    work_order = models.ForeignKey(
        WorkOrder, models.PROTECT, related_name="amendments", verbose_name=_("work order")
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "work_order__equipment__line__area__site"

    class Meta(Amendment.Meta):
        verbose_name = _("work order amendment")
        verbose_name_plural = _("work order amendments")
