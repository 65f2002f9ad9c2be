from django.db.models import IntegerChoices, TextChoices
from django.utils.translation import gettext_lazy as _


class IntervalUnit(TextChoices):
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")
    METER = "meter", _("meter units")


class Anchor(TextChoices):
    FLOATING = "floating", _("From the last completion")
    FIXED = "fixed", _("On a fixed series from the anchor date")


class ItemKind(TextChoices):
    CHECK = "check", _("Check (done / not done)")
    MEASURE = "measure", _("Measured value")
    NOTE = "note", _("Note")


class WorkOrderKind(TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    CORRECTIVE = "corrective", _("Corrective")


class Priority(IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class WorkOrderStatus(TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS)
# What the work-order list shows unless asked for everything: still to do, or done and waiting
# for a supervisor's verification.
OPEN_WORK = (*ACTIVE_STATUSES, WorkOrderStatus.DONE)
