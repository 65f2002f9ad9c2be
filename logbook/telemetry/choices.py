from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class SignalKind(TextChoices):
    STATE = "state", _("State")
    COUNT = "count", _("Count")
    ALARM = "alarm", _("Alarm")


class MachineState(TextChoices):
    RUNNING = "running", _("Running")
    STOPPED = "stopped", _("Stopped")
    FAULT = "fault", _("Fault")


class Outcome(TextChoices):
    """What became of one posted signal."""

    STORED = "stored", _("Stored")
    DUPLICATE = "duplicate", _("Already stored")
    REJECTED = "rejected", _("Rejected")
