import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from logbook.accounts.models import check_person_on_site
from logbook.core.fields import DateField, DateTimeField, DecimalField, TextField
from logbook.core.querysets import SiteScopedQuerySet, superseded
from logbook.shifts import clock
from logbook.shifts.choices import EntryCategory, ShiftStatus

# A tablet's clock may run a little ahead of the server's.
CLOCK_SKEW = datetime.timedelta(minutes=5)


class ShiftPattern(models.Model):
    """A recurring shift of a site in local wall-clock time, e.g. Night 22:00–06:00."""

    site = models.ForeignKey(
        "equipment.Site", models.PROTECT, related_name="shift_patterns", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=40)
    start_time = models.TimeField(_("starts"), help_text=_("Local time at the site."))
    end_time = models.TimeField(
        _("ends"), help_text=_("Local time; at or before the start means the next day.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "site"

    class Meta:
        ordering = ["site__code", "start_time"]
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"], name="%(app_label)s_%(class)s_unique_name_per_site"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def get_absolute_url(self):
        return reverse("shifts:shiftpattern_edit", args=[self.pk])


class ShiftQuerySet(SiteScopedQuerySet):
    def with_status(self):
        """Annotate ``status_value``: signed, handed over or open, derived from the records."""
        return self.annotate(
            status_value=Case(
                When(signature__isnull=False, then=Value(ShiftStatus.SIGNED)),
                When(handover__isnull=False, then=Value(ShiftStatus.HANDED_OVER)),
                default=Value(ShiftStatus.OPEN),
                output_field=models.CharField(),
            )
        )


class Shift(models.Model):
    """One pattern worked on one line on one date: the frame of a technician's log.

    ``starts_at``/``ends_at`` are the exact instants (UTC), computed once from the pattern in the
    site's zone when the shift is started; ``date`` is the local date it starts.
    """

    line = models.ForeignKey(
        "equipment.Line", models.PROTECT, related_name="shifts", verbose_name=_("line")
    )
    pattern = models.ForeignKey(
        ShiftPattern, models.PROTECT, related_name="shifts", verbose_name=_("pattern")
    )
    date = DateField(_("date"), help_text=_("The local date the shift starts."))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="led_shifts",
        verbose_name=_("lead"),
    )
    starts_at = DateTimeField(_("starts at"), editable=False)
    ends_at = DateTimeField(_("ends at"), editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
        editable=False,
    )
    signature = models.OneToOneField(
        "accounts.Signature",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="shift",
        verbose_name=_("sign-off"),
    )

    objects = ShiftQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"
    # The audit trail of a shift shows the changes to the records it holds too.
    audit_children = [
        ("shifts.LogEntry", "shift"),
        ("shifts.ProductionRecord", "shift"),
        ("shifts.Handover", "shift"),
        ("shifts.OpenItem", "raised_on"),
    ]

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        permissions = [("sign_shift", _("Can sign shifts off"))]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "pattern", "date"], name="%(app_label)s_%(class)s_one_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["line", "starts_at"]),
            # The default orders of the shift list (by day) and of the API (by start): a page
            # of the newest shifts reads 25 index entries, not every shift of five years.
            models.Index(fields=["date"], name="shifts_shift_date_order"),
            models.Index(fields=["starts_at"], name="shifts_shift_starts_order"),
            # The few shifts not signed yet, among five years of signed ones: the supervisor's
            # "to sign off" count and the list's status filter read only these.
            models.Index(
                fields=["line"], condition=Q(signature__isnull=True), name="shifts_shift_unsigned"
            ),
        ]

    def __str__(self):
        return f"{self.line.code} {self.pattern.name} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("shifts:shift_detail", args=[self.pk])

    @property
    def site(self):
        return self.line.area.site

    @property
    def duration_minutes(self) -> int:
        return clock.duration_minutes(self.starts_at, self.ends_at)

    @property
    def is_signed(self) -> bool:
        return self.signature_id is not None

    @property
    def is_locked(self) -> bool:
        """A signed shift, and every record it holds, never changes (core.locking)."""
        return self.is_signed

    @property
    def status(self) -> str:
        if hasattr(self, "status_value"):
            return self.status_value
        if self.is_signed:
            return ShiftStatus.SIGNED
        if Handover.objects.filter(shift_id=self.pk).exists():
            return ShiftStatus.HANDED_OVER
        return ShiftStatus.OPEN

    def get_status_display(self) -> str:
        return ShiftStatus(self.status).label

    def compute_window(self):
        """Set ``starts_at``/``ends_at`` from the pattern and date in the site's zone."""
        self.starts_at, self.ends_at = clock.shift_window(
            self.date, self.pattern.start_time, self.pattern.end_time, self.line.area.site.zone
        )

    def clean(self):
        if self.pattern_id and self.line_id and self.pattern.site_id != self.line.area.site_id:
            raise ValidationError(
                {"pattern": _("This pattern belongs to another site than the line.")}
            )
        if self.lead_id and self.line_id:
            check_person_on_site(self.lead, self.line.area.site, "lead")


class ShiftRecordQuerySet(SiteScopedQuerySet):
    def current(self):
        """Only the versions in force: records that no amendment has replaced."""
        return self.exclude(pk__in=superseded(self.model))


class AmendableRecord(models.Model):
    """A record of a shift that, once the shift is signed, is corrected only by amendment."""

    amends = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
        verbose_name=_("amends"),
        help_text=_("The record this one corrects; the original stays visible."),
    )
    amend_reason = TextField(_("reason for the amendment"), blank=True)
    created_at = DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ShiftRecordQuerySet.as_manager()
    site_lookup = "shift__line__area__site"

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.shift.is_signed

    def clean(self):
        if self.amends_id is not None:
            if not self.amend_reason.strip():
                raise ValidationError({"amend_reason": _("Say why the record is amended.")})
            if self.amends.shift_id != self.shift_id:
                raise ValidationError({"amends": _("An amendment stays on the original's shift.")})
        elif self.amend_reason and not (self._state.adding and self.shift.is_signed):
            # A record added to a signed shift (a late entry) says why; no other does.
            raise ValidationError(
                {"amend_reason": _("Only an amendment or a late entry carries a reason.")}
            )


class LogEntry(AmendableRecord):
    """What happened on a shift: an observation, an action, an event, by one person at a time."""

    shift = models.ForeignKey(
        Shift, models.PROTECT, related_name="entries", verbose_name=_("shift")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="log_entries",
        verbose_name=_("author"),
    )
    occurred_at = DateTimeField(_("time"), default=timezone.now)
    category = models.CharField(
        _("category"), max_length=20, choices=EntryCategory.choices, default=EntryCategory.NOTE
    )
    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("equipment"),
    )
    text = TextField(_("text"))
    # Set when the entry was written on a device without a connection and sent from its queue
    # later: the moment it was saved there (created_at is when the server received it).
    recorded_offline_at = DateTimeField(_("recorded offline at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        permissions = [("change_any_logentry", _("Can edit other people's log entries"))]
        indexes = [
            models.Index(fields=["shift", "-occurred_at"]),
            # The API's order across shifts (newest first).
            models.Index(fields=["occurred_at", "id"], name="shifts_entry_occurred_order"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{self.shift.get_absolute_url()}#entry-{self.pk}"

    def clean(self):
        super().clean()
        errors = {}
        if not (self.text or "").strip():
            errors["text"] = _("Write what happened.")
        if self.shift_id and self.occurred_at:
            grace = datetime.timedelta(minutes=settings.SHIFT_ENTRY_GRACE_MINUTES)
            if self.occurred_at > timezone.now() + CLOCK_SKEW:
                errors["occurred_at"] = _("An entry cannot be dated in the future.")
            elif not (
                self.shift.starts_at - grace <= self.occurred_at <= self.shift.ends_at + grace
            ):
                errors["occurred_at"] = ngettext(
                    "The time is outside the shift (%(start)s–%(end)s, with %(grace)s minute "
                    "either side).",
                    "The time is outside the shift (%(start)s–%(end)s, with %(grace)s minutes "
                    "either side).",
                    settings.SHIFT_ENTRY_GRACE_MINUTES,
                ) % {
                    "start": timezone.localtime(
                        self.shift.starts_at, self.shift.site.zone
                    ).strftime("%H:%M"),
                    "end": timezone.localtime(self.shift.ends_at, self.shift.site.zone).strftime(
                        "%H:%M"
                    ),
                    "grace": settings.SHIFT_ENTRY_GRACE_MINUTES,
                }
        if self.shift_id and self.equipment_id:
            if self.equipment.line.area.site_id != self.shift.line.area.site_id:
                errors["equipment"] = _("This equipment is on another site.")
        if errors:
            raise ValidationError(errors)


class ProductionRecord(AmendableRecord):
    """What a line produced on a shift: the counts OEE is computed from."""

    shift = models.ForeignKey(
        Shift, models.PROTECT, related_name="production", verbose_name=_("shift")
    )
    product = models.CharField(_("product"), max_length=100)
    produced_count = models.PositiveIntegerField(_("produced"))
    good_count = models.PositiveIntegerField(_("good"))
    ideal_cycle_time_s = DecimalField(
        _("ideal cycle time (s/unit)"), max_digits=9, decimal_places=3
    )
    planned_stop_minutes = models.PositiveIntegerField(
        _("planned stops (min)"),
        default=0,
        help_text=_("Breaks, changeovers, meetings: time the line was not meant to run."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="production_records",
        verbose_name=_("recorded by"),
    )
    # A product run: the line's counting machine counts this product from ``started_at`` until
    # the next run of the shift starts, or the shift ends (to the minute).
    started_at = DateTimeField(
        _("running from"),
        null=True,
        blank=True,
        help_text=_(
            "When the line began this product: its counting machine counts it from then until "
            "the next product or the end of the shift."
        ),
    )
    from_machine = models.BooleanField(
        _("counts from the machine"),
        default=False,
        help_text=_(
            "Produced and good follow what the line's counting machine counts for this product, "
            "until a person types other counts."
        ),
    )
    # What the machine counted for the run, kept beside what a person typed.
    machine_produced_count = models.PositiveIntegerField(
        _("produced (machine)"), null=True, blank=True, editable=False
    )
    machine_good_count = models.PositiveIntegerField(
        _("good (machine)"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        indexes = [models.Index(fields=["created_at", "id"], name="shifts_count_created_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(good_count__lte=F("produced_count")),
                name="%(app_label)s_%(class)s_good_not_above_produced",
            ),
            models.CheckConstraint(
                condition=Q(ideal_cycle_time_s__gt=0),
                name="%(app_label)s_%(class)s_cycle_time_positive",
            ),
        ]

    def __str__(self):
        return f"{self.product}: {self.good_count}/{self.produced_count}"

    def get_absolute_url(self):
        return f"{self.shift.get_absolute_url()}#production-{self.pk}"

    def clean(self):
        super().clean()
        errors = {}
        if self.produced_count is not None and self.good_count is not None:
            if self.good_count > self.produced_count:
                errors["good_count"] = _("Good units cannot outnumber the units produced.")
        if self.ideal_cycle_time_s is not None and self.ideal_cycle_time_s <= 0:
            errors["ideal_cycle_time_s"] = _("The ideal cycle time must be more than 0 seconds.")
        if self.from_machine and self.started_at is None:
            errors["started_at"] = _("Say from when the machine counts this product.")
        if self.shift_id and self.started_at is not None:
            grace = datetime.timedelta(minutes=settings.SHIFT_ENTRY_GRACE_MINUTES)
            if not (self.shift.starts_at - grace <= self.started_at < self.shift.ends_at):
                errors["started_at"] = _("A product runs from a time within the shift.")
        if self.shift_id and self.planned_stop_minutes is not None:
            if self.planned_stop_minutes > self.shift.duration_minutes:
                errors["planned_stop_minutes"] = ngettext(
                    "Planned stops cannot be longer than the shift (%(minutes)s minute).",
                    "Planned stops cannot be longer than the shift (%(minutes)s minutes).",
                    self.shift.duration_minutes,
                ) % {"minutes": self.shift.duration_minutes}
        if errors:
            raise ValidationError(errors)


class Handover(models.Model):
    """The outgoing technician's summary of a shift, and the incoming one's acknowledgement."""

    shift = models.OneToOneField(
        Shift, models.PROTECT, related_name="handover", verbose_name=_("shift")
    )
    summary = TextField(_("summary"), blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    handed_over_at = DateTimeField(_("handed over at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "shift__line__area__site"

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self):
        return _("Handover of %(shift)s") % {"shift": self.shift}

    def get_absolute_url(self):
        return f"{self.shift.get_absolute_url()}#handover"

    @property
    def is_locked(self) -> bool:
        return self.shift.is_signed


class HandoverTopic(models.TextChoices):
    PRODUCTION = "production", _("Production")
    DOWNTIME = "downtime", _("Downtime")
    WORK = "work", _("Work orders")
    QUALITY = "quality", _("Quality")
    PM_DUE = "pm_due", _("PM due next shift")
    LOCKOUT = "lockout", _("Lockout still applied")
    OPEN_ITEM = "open_item", _("Open item")


class HandoverAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    QUESTION = "question", _("Question")


class HandoverItem(models.Model):
    """One thing the records say at a handover, carried to the next shift, which answers it:
    accepted, or a question (which stays on the line as an open item)."""

    handover = models.ForeignKey(
        Handover, models.PROTECT, related_name="items", verbose_name=_("handover")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    topic = models.CharField(_("topic"), max_length=12, choices=HandoverTopic.choices)
    text = TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    open_item = models.ForeignKey(
        "OpenItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("open item"),
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=HandoverAnswer.choices, blank=True
    )
    note = TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = DateTimeField(_("answered at"), null=True, blank=True)
    question_item = models.ForeignKey(
        "OpenItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question raised"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "handover__shift__line__area__site"

    class Meta:
        ordering = ["handover", "order", "pk"]
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return f"{self.handover.shift.get_absolute_url()}#handover-item-{self.pk}"

    @property
    def is_locked(self) -> bool:
        """An answer is given once; a signed shift's handover never changes."""
        return self.answered_at is not None or self.handover.shift.is_signed


class OpenItem(models.Model):
    """Something left to do at the end of a shift; it follows the line until someone closes it."""

    line = models.ForeignKey(
        "equipment.Line", models.PROTECT, related_name="open_items", verbose_name=_("line")
    )
    raised_on = models.ForeignKey(
        Shift, models.PROTECT, related_name="raised_items", verbose_name=_("raised on")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    text = TextField(_("text"))
    created_at = DateTimeField(_("raised at"), auto_now_add=True)
    closed_on = models.ForeignKey(
        Shift,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_items",
        verbose_name=_("closed on"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = TextField(_("closing note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "line__area__site"

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        indexes = [
            models.Index(fields=["line", "closed_at"]),
            models.Index(fields=["created_at", "id"], name="shifts_openitem_created_order"),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return self.raised_on.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
