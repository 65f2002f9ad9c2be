from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Criticality(TextChoices):
    A = "A", _("A – production stops")
    B = "B", _("B – production slowed")
    C = "C", _("C – no production impact")


class EquipmentStatus(TextChoices):
    RUNNING = "running", _("Running")
    IDLE = "idle", _("Idle")
    DOWN = "down", _("Down")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")
