from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class EntryCategory(TextChoices):
    PRODUCTION = "production", _("Production")
    MAINTENANCE = "maintenance", _("Maintenance")
    SAFETY = "safety", _("Safety")
    QUALITY = "quality", _("Quality")
    HANDOVER = "handover", _("Handover")
    NOTE = "note", _("Note")


class ShiftStatus(TextChoices):
    OPEN = "open", _("Open")
    HANDED_OVER = "handed_over", _("Handed over")
    SIGNED = "signed", _("Signed off")
