from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateTimeField, TextField
from logbook.core.querysets import SiteScopedQuerySet
from logbook.core.validators import PHOTO_TYPES, validate_photo
from logbook.maintenance.choices import Priority
from logbook.workrequests.choices import RequestStatus


class WorkRequestQuerySet(SiteScopedQuerySet):
    def for_user(self, user):
        """The user's sites' requests for those who review them; one's own requests otherwise
        (an operator sees what became of what they reported, not the whole queue)."""
        visible = super().for_user(user)
        if user is None or not user.is_authenticated:
            return visible
        if user.has_perm("workrequests.review_workrequest"):
            return visible
        return visible.filter(requested_by=user)


class WorkRequest(models.Model):
    """A problem reported from the floor by anyone with an account: which machine, what is
    wrong, how urgent. A planner or supervisor turns it into a work order or declines it with a
    reason; after that it never changes."""

    equipment = models.ForeignKey(
        "equipment.Equipment",
        models.PROTECT,
        related_name="work_requests",
        verbose_name=_("equipment"),
    )
    description = TextField(_("what is wrong"))
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Priority.choices, default=Priority.NORMAL
    )
    photo = models.FileField(
        _("photo"),
        upload_to="workrequests/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(PHOTO_TYPES), validate_photo],
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.OPEN,
        editable=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="work_requests",
        editable=False,
        verbose_name=_("requested by"),
    )
    requested_at = DateTimeField(_("requested at"), auto_now_add=True)
    work_order = models.OneToOneField(
        "maintenance.WorkOrder",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="work_request",
        verbose_name=_("work order"),
    )
    decline_reason = TextField(_("declined because"), blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("answered by"),
    )
    decided_at = DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    objects = WorkRequestQuerySet.as_manager()
    history = HistoricalRecords()
    site_lookup = "equipment__line__area__site"

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("work request")
        verbose_name_plural = _("work requests")
        permissions = [
            ("review_workrequest", _("Can turn work requests into work orders or decline them")),
        ]
        indexes = [
            models.Index(fields=["-requested_at", "-id"], name="workrequests_list_order"),
            # The queue: the few open requests among years of answered ones.
            models.Index(
                fields=["-requested_at", "-id"],
                condition=Q(status="open"),
                name="workrequests_open_queue",
            ),
            models.Index(fields=["requested_by", "status"], name="workrequests_mine"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.CONVERTED) | Q(work_order__isnull=False),
                name="%(app_label)s_%(class)s_converted_has_order",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.DECLINED) | ~Q(decline_reason=""),
                name="%(app_label)s_%(class)s_declined_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("workrequests:workrequest_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"WR-{self.pk:05d}"

    @property
    def title(self) -> str:
        """The first line of the description, short enough for a list and a work order title."""
        first = (self.description or "").strip().splitlines()[0:1]
        text = first[0].strip() if first else ""
        return text if len(text) <= 80 else text[:79].rstrip() + "…"

    @property
    def is_locked(self) -> bool:
        return self.status != RequestStatus.OPEN
